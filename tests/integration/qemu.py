"""Boots a Tessera image on QEMU virt and follows its console.

Shared by the integration tests and `./tessera run`, so both boot the
machine the same way.
"""
import os
import re
import subprocess

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"


def qemu_command(elf, smp=4, memory="1G", extra=()):
    """The QEMU command line for a hypervisor image on the virt machine."""
    return [
        "qemu-system-riscv64", "-M", "virt", "-smp", str(smp), "-m", memory,
        "-nographic", "-bios", OPENSBI, "-kernel", os.fspath(elf),
        *extra,
    ]


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def strip_colour(text):
    """The console text without the ANSI colours of its line prefixes
    (a scenario with tessera,console-colour)."""
    return _SGR.sub("", text)
