#!/usr/bin/env python3
"""cppcheck over the runtime (core/) and the board drivers (platform/).

Analyses the translation units tests/static/translation_units.py selects
with their include paths from the clang firmware build (cppcheck --project
on a compile database of just those units), as riscv64 code: LP64 with an
unsigned char (cppcheck's unix64-unsigned platform), __riscv defined. The
standard library's headers are left to cppcheck's own knowledge of them
(its std.cfg), as cppcheck recommends.

Checks: warning, style, performance and portability, plus information, so
that an inline suppression that no longer matches anything is a finding too.
Findings are suppressed only where they are, with a reason:
`// cppcheck-suppress id ; why` on the line before. The checks left out
altogether are in tests/static/cppcheck-suppressions.txt, each with why. Any
finding fails (--error-exitcode=1), printed at file:line:column with its id.

    tests/static/cppcheck.py --build build/firmware-clang [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from translation_units import SelectionError, select  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SUPPRESSIONS = Path(__file__).resolve().parent / "cppcheck-suppressions.txt"
FINDING = re.compile(r"^\S[^:]*:-?\d+:\d+: \w+: .* \[\w+\]$")

# The target, as far as cppcheck models one: lp64, char unsigned (RISC-V's
# psABI), and the predefined macros of the riscv64 compilers that code could
# test (the runtime has no conditional compilation today).
TARGET = ["--platform=unix64-unsigned", "-D__riscv=1", "-D__riscv_xlen=64"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True,
                        help="the clang firmware build directory (its compile_commands.json)")
    parser.add_argument("--source", type=Path, default=ROOT, help="the source tree")
    parser.add_argument("--jobs", type=int, default=2, help="cppcheck -j")
    parser.add_argument("--cppcheck", default="cppcheck", help="the cppcheck binary")
    args = parser.parse_args()

    root = args.source.resolve()
    build = args.build.resolve()
    try:
        units = select(root, build)
    except SelectionError as error:
        print(f"static-cppcheck: {error}", file=sys.stderr)
        return 2

    generated = f"{build}/scenarios/*/generated/*"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tessera-cppcheck-") as work:
        database = Path(work) / "compile_commands.json"
        database.write_text(json.dumps([unit.entry for unit in units]))
        command = [
            args.cppcheck, f"--project={database}", "--language=c++", "--std=c++20", *TARGET,
            "--enable=warning,style,performance,portability,information",
            "--inline-suppr", f"--suppressions-list={SUPPRESSIONS}",
            # The generated scenario header is not the project's code (and
            # this suppression needn't match anything).
            f"--suppress=*:{generated}", f"--suppress=unmatchedSuppression:{generated}",
            "--error-exitcode=1", f"-j{max(1, args.jobs)}", "--quiet",
            "--template={file}:{line}:{column}: {severity}: {message} [{id}]",
            f"--cppcheck-build-dir={work}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started

    output = (result.stdout + result.stderr).replace(f"{root}/", "")
    findings = [line for line in output.splitlines() if FINDING.match(line)]
    sys.stdout.write(output)
    print(f"static-cppcheck: {len(findings)} finding(s) in {len(units)} translation units "
          f"({elapsed:.0f} s, -j{args.jobs}, exit status {result.returncode})")
    return 1 if result.returncode != 0 or findings else 0


if __name__ == "__main__":
    sys.exit(main())
