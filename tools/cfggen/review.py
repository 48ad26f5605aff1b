#!/usr/bin/python3
"""review: a scenario's configuration review, in Markdown and in self-contained HTML.

  review.py --scenario PATH --generated DIR --out-dir OUT [--build-dir DIR] [--cache-dir DIR]
            [--platform-root DIR] [--image FILE]...

Validates the scenario as `cfggen.py generate` does (same --build-dir and
--cache-dir, so the same images), checks that DIR, the scenario's generated
directory in the build, holds exactly the tables this configuration gives (and
that every --image, the hypervisor image built from them, embeds their
configuration hash), then writes OUT/<scenario>.md and OUT/<scenario>.html and
prints their paths. `./tessera review [SCENARIO]` builds the scenario and runs it.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when run from a build
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
import outdir  # noqa: E402
from cfggen import image_variables  # noqa: E402
from diagnostics import display_path  # noqa: E402
from emit_header import config_hash, render_header  # noqa: E402
from emit_review_html import render_review_html  # noqa: E402
from emit_review_md import render_review_md  # noqa: E402
from pipeline import Settings, configure  # noqa: E402
from repo import REPO_ROOT  # noqa: E402
from review_files import input_files, output_files  # noqa: E402
from review_model import build_review  # noqa: E402

HEADER = "tessera_scenario.hpp"


class StaleBuild(Exception):
    """The build's outputs are not those of the configuration the inputs give now."""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="review", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", required=True, help="the .scenario.dts file")
    parser.add_argument("--generated", required=True,
                        help="the scenario's generated directory (cfggen generate --out)")
    parser.add_argument("--out-dir", required=True, help="where <scenario>.md and .html go")
    parser.add_argument("--build-dir", help="what ${build} expands to in image paths")
    parser.add_argument("--cache-dir", help="what ${cache} expands to "
                                            "(default $XDG_CACHE_HOME/tessera)")
    parser.add_argument("--platform-root", default=os.path.join(REPO_ROOT, "platform"),
                        help="directory holding <platform>/host.dts")
    parser.add_argument("--image", action="append", default=[],
                        help="a hypervisor image built from DIR (repeatable): hashed, and "
                             "checked to embed the configuration hash")
    return parser.parse_args(argv)


def check_build(generated, header, digest, images):
    """Raise StaleBuild unless `generated` and `images` are this configuration's build."""
    path = os.path.join(generated, HEADER)
    try:
        with open(path, encoding="utf-8") as built:
            text = built.read()
    except OSError as error:
        raise StaleBuild(f"cannot read {display_path(path)}: {error.strerror}") from None
    if text != header:
        raise StaleBuild(f"{display_path(path)} is not what the inputs give now "
                         f"(config {digest[:16]}): rebuild the scenario")
    for image in images:
        try:
            with open(image, "rb") as built:
                embeds = digest.encode() in built.read()
        except OSError as error:
            raise StaleBuild(f"cannot read image {display_path(image)}: "
                             f"{error.strerror}") from None
        if not embeds:
            raise StaleBuild(f"image {display_path(image)} does not embed config "
                             f"{digest[:16]}: rebuild the scenario")


def _image_role(path):
    with open(path, "rb") as image:
        elf = image.read(4) == b"\x7fELF"
    return "hypervisor image (ELF)" if elf else "hypervisor image (raw binary)"


def write_reviews(out_dir, name, texts):
    """Write each (suffix, text) as out_dir/name+suffix, atomically; return the paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for suffix, text in texts:
        path = os.path.join(out_dir, name + suffix)
        staging = f"{path}.tmp"
        outdir.write_text(staging, text)
        os.replace(staging, path)
        paths.append(path)
    return paths


def main(argv=None):
    args = parse_args(argv)
    settings = Settings(args.scenario, args.platform_root, image_variables(args))
    config, diags = configure(settings)
    if config is None:
        print(diags.format() or "review: internal error: no configuration and no error",
              file=sys.stderr)
        print(f"review: {len(diags)} error(s)", file=sys.stderr)
        return 1
    digest = config_hash(config)
    try:
        check_build(args.generated, render_header(config, digest), digest, args.image)
        review = build_review(
            config, digest, diags.warnings, input_files(config),
            output_files(config, args.generated,
                         [(_image_role(image), image) for image in args.image]),
            args.generated)
        paths = write_reviews(args.out_dir, config.scenario.name,
                              ((".md", render_review_md(review)),
                               (".html", render_review_html(review))))
    except StaleBuild as error:
        print(f"review: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"review: error: {error}", file=sys.stderr)
        return 1
    for path in paths:
        print(display_path(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
