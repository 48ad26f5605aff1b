"""Helpers for the cfggen tests: tiny images, DTS templates, running the tool."""

import contextlib
import io
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TOOL = REPO / "tools" / "cfggen" / "cfggen.py"
PLATFORM_ROOT = REPO / "platform"
DEBIAN_PYTHON = "/usr/bin/python3"
PYTHON = (sys.executable if os.path.realpath(sys.executable) == os.path.realpath(DEBIAN_PYTHON)
          else DEBIAN_PYTHON)

MiB = 1 << 20


# --- images -----------------------------------------------------------------

def make_elf(path, segments, entry, machine=243, elf_class=2, e_type=2):
    """Write an ELF64 LE file; segments are (paddr, file bytes, memsz)."""
    header = struct.Struct("<16sHHIQQQIHHHHHH")
    program_header = struct.Struct("<IIQQQQQQ")
    data_offset = header.size + program_header.size * len(segments)
    phdrs, body = b"", b""
    for paddr, data, memsz in segments:
        phdrs += program_header.pack(1, 7, data_offset + len(body), paddr, paddr, len(data),
                                     memsz, 0x1000)
        body += data
    ident = b"\x7fELF" + bytes([elf_class, 1, 1]) + bytes(9)
    ehdr = header.pack(ident, e_type, machine, 1, entry, header.size, 0, 0, header.size,
                       program_header.size, len(segments), 64, 0, 0)
    Path(path).write_bytes(ehdr + phdrs + body)
    return Path(path)


def code(size, seed=0x13):
    """`size` bytes of recognisable content."""
    return bytes((seed + i) & 0xFF for i in range(size))


# --- DTS templates ----------------------------------------------------------

def cells64(value):
    return f"0x{value >> 32:x} 0x{value & 0xFFFFFFFF:x}"


def cpu_node(vhart, phart):
    hart = "" if phart is None else f"\n\t\t\ttessera,hart = <{phart}>;"
    return (f"\t\tcpu@{vhart} {{\n"
            f'\t\t\tdevice_type = "cpu";\n'
            f"\t\t\treg = <{vhart}>;\n"
            f'\t\t\tcompatible = "riscv";{hart}\n'
            f"\t\t}};\n")


def memory_node(gpa, size, hpa=None):
    host = "" if hpa is None else f"\n\t\ttessera,host-address = <{cells64(hpa)}>;"
    return (f"\tmemory@{gpa:x} {{\n"
            f'\t\tdevice_type = "memory";\n'
            f"\t\treg = <{cells64(gpa)} {cells64(size)}>;{host}\n"
            f"\t}};\n")


def guest_dts(name="alpha", image=None, harts=((0, 1),),
              memory=((0x80000000, 64 * MiB, 0x88000000),), root_props="", nodes=""):
    """A guest DT; name=None omits tessera,name, image=None uses "<name>.elf"."""
    lines = ["/dts-v1/;", "", "/ {",
             "\t#address-cells = <2>;",
             "\t#size-cells = <2>;",
             '\tcompatible = "tessera,bare-metal";']
    if name is not None:
        lines.append(f'\ttessera,name = "{name}";')
    lines.append(f'\ttessera,image = "{image or (name or "guest") + ".elf"}";')
    if root_props:
        lines.append(root_props.rstrip("\n"))
    lines += ["",
              "\tchosen {",
              '\t\tbootargs = "console=hvc0 quiet";',
              "\t};",
              "",
              "\tcpus {",
              "\t\t#address-cells = <1>;",
              "\t\t#size-cells = <0>;",
              "\t\ttimebase-frequency = <10000000>;"]
    text = "\n".join(lines) + "\n"
    text += "".join(cpu_node(vhart, phart) for vhart, phart in harts)
    text += "\t};\n\n"
    text += "".join(memory_node(*region) for region in memory)
    text += nodes
    text += "};\n"
    return text


def scenario_dts(partitions, platform="qemu-virt"):
    names = ", ".join(f'"{name}"' for name in partitions)
    return ("// test scenario\n/dts-v1/;\n\n/ {\n"
            '\tcompatible = "tessera,scenario";\n'
            f'\ttessera,platform = "{platform}";\n'
            f"\ttessera,partitions = {names};\n"
            "};\n")


def default_image(directory, name, base=0x80000000):
    """An ELF with one 8 KiB segment (4.5 KiB in the file) at `base`, entry = base."""
    return make_elf(Path(directory) / f"{name}.elf", [(base, code(0x1200), 0x2000)], base)


def write_config(directory, guests, platform="qemu-virt", images=True, scenario="test"):
    """Write guests ({file name: DTS text}) and their scenario; returns its path.

    images=True also writes a default ELF "<stem>.elf" for every guest file.
    """
    directory = Path(directory)
    for file_name, text in guests.items():
        (directory / file_name).write_text(text)
        if images:
            default_image(directory, Path(file_name).stem)
    path = directory / f"{scenario}.scenario.dts"
    path.write_text(scenario_dts(list(guests), platform))
    return path


def edited(text, *replacements):
    """`text` with each (old, new) replaced once; old must be there."""
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


UBOOT_ELF = [(0x80200000, code(0x3000), 0x5000)]


def uboot(tmp_path, *replacements):
    """fixtures/uboot.dts (edited) and its scenario in tmp_path, with a stand-in uboot.elf.

    The fixture: an emulated PLIC and 16550, a passthrough virtio-mmio device on
    interrupt 8, RAM split into a relocated and an identity part.
    """
    text = edited((FIXTURES / "uboot.dts").read_text(), *replacements)
    (tmp_path / "uboot.dts").write_text(text)
    shutil.copy(FIXTURES / "uboot.scenario.dts", tmp_path)
    make_elf(tmp_path / "uboot.elf", UBOOT_ELF, 0x80200000)
    return tmp_path / "uboot.scenario.dts"


def line_of(path, needle, occurrence=1):
    """1-based number of the line holding the `occurrence`-th `needle` in `path`."""
    found = [number for number, text in enumerate(Path(path).read_text().splitlines(), 1)
             if needle in text]
    assert len(found) >= occurrence, f"{needle!r} not in {path}"
    return found[occurrence - 1]


# --- running ----------------------------------------------------------------

def run_cfggen(*args, cwd):
    return subprocess.run([PYTHON, str(TOOL), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, check=False)


def run_in_process(*args, cwd):
    """cfggen's main() in this process: (exit status, stdout, stderr).

    Much faster than a subprocess; an exception escaping main() (which would be a
    traceback for a user) propagates to the caller.
    """
    import cfggen  # pylint: disable=import-outside-toplevel
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        try:
            status = cfggen.main([str(arg) for arg in args])
        except SystemExit as exit_request:  # argparse
            status = exit_request.code
    return status, stdout.getvalue(), stderr.getvalue()


def generate(scenario, out_dir, *extra, platform_root=PLATFORM_ROOT):
    """Run `generate` with cwd = the scenario's directory."""
    scenario = Path(scenario)
    return run_cfggen("generate", "--scenario", scenario, "--out", out_dir,
                      "--platform-root", platform_root, *extra, cwd=scenario.parent)


def stale_out_dir(directory):
    """An OUTDIR holding a stale file, to prove that a failed run removes it."""
    out_dir = Path(directory) / "out"
    out_dir.mkdir()
    (out_dir / "tessera_scenario.hpp").write_text("// stale\n")
    return out_dir


def assert_rejected(result, out_dir, rule_id, file_name, line, node):
    """Exit 1, the located error in stderr, no traceback, and no OUTDIR left behind."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    prefix = f"{file_name}:{line}: error: [{rule_id}]"
    expected = f"{prefix} {node}:" if node else prefix
    assert expected in result.stderr, f"expected {expected!r} in:\n{result.stderr}"
    assert "  hint: " in result.stderr
    assert not Path(out_dir).exists(), "a failed run must not leave OUTDIR behind"
