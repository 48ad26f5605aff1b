"""All-or-nothing output directories: staged beside OUTDIR, then swapped in."""

import os
import shutil
import tempfile


def publish(out_dir, write):
    """Call write(staging_dir), then replace out_dir with it; on failure leave no out_dir."""
    out_dir = os.path.abspath(out_dir)
    parent, name = os.path.split(out_dir)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{name}.new-", dir=parent)
    old = None
    try:
        os.chmod(staging, 0o777 & ~_umask())
        write(staging)
        if os.path.lexists(out_dir):
            old = tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent)
            os.rename(out_dir, os.path.join(old, name))
        os.rename(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        remove(out_dir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def remove(out_dir):
    """Delete out_dir (directory, file or link) if it exists."""
    if os.path.isdir(out_dir) and not os.path.islink(out_dir):
        shutil.rmtree(out_dir)
    elif os.path.lexists(out_dir):
        os.unlink(out_dir)


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as output:
        output.write(text)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
