#!/usr/bin/env python3
"""clang-tidy over the runtime (core/) and the board drivers (platform/).

Runs clang-tidy with the curated check set of the source tree's .clang-tidy
on every translation unit tests/static/translation_units.py selects, with the
compile commands of the clang firmware build (freestanding riscv64), several
at a time. Prints every finding at file:line:column with its check and
clang-tidy's explanation, and fails if there is any (or if clang-tidy itself
fails). Findings in headers are reported once, however many units include
them; only headers under core/ and platform/ are looked at.

    tests/static/clang_tidy.py --build build/firmware-clang [--jobs 2] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from translation_units import ANALYSED_DIRS, SelectionError, Unit, select  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FINDING = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): "
                     r"(?P<severity>warning|error): (?P<message>.*)$")


def parse_findings(output: str) -> list[tuple[tuple[str, int, int, str], list[str]]]:
    """(file, line, column, message) with the lines that explain it (notes, source)."""
    findings: list[tuple[tuple[str, int, int, str], list[str]]] = []
    for line in output.splitlines():
        match = FINDING.match(line)
        if match:
            key = (match["file"], int(match["line"]), int(match["column"]), match["message"])
            findings.append((key, [line]))
        elif findings and line.strip() and not line.endswith("generated."):
            findings[-1][1].append(line)
    return findings


def run_unit(clang_tidy: str, unit: Unit, work: Path, index: int, header_filter: str):
    database = work / f"unit-{index}"
    database.mkdir()
    (database / "compile_commands.json").write_text(json.dumps([unit.entry]))
    command = [clang_tidy, "--quiet", f"--config-file={ROOT / '.clang-tidy'}",
               f"--header-filter={header_filter}", "-p", str(database), str(unit.source)]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return unit, result, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True,
                        help="the clang firmware build directory (its compile_commands.json)")
    parser.add_argument("--source", type=Path, default=ROOT, help="the source tree")
    parser.add_argument("--jobs", type=int, default=2, help="clang-tidy processes at a time")
    parser.add_argument("--clang-tidy", default="clang-tidy", help="the clang-tidy binary")
    parser.add_argument("--verbose", action="store_true", help="time of every unit")
    args = parser.parse_args()

    root = args.source.resolve()
    try:
        units = select(root, args.build)
    except SelectionError as error:
        print(f"static-clang-tidy: {error}", file=sys.stderr)
        return 2
    dirs = "|".join(re.escape(name) for name in ANALYSED_DIRS)
    header_filter = f"^{re.escape(str(root))}/({dirs})/"

    started = time.monotonic()
    findings: dict[tuple[str, int, int, str], list[str]] = {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tessera-clang-tidy-") as work, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        jobs = [pool.submit(run_unit, args.clang_tidy, unit, Path(work), index, header_filter)
                for index, unit in enumerate(units)]
        for job in jobs:
            unit, result, seconds = job.result()
            if args.verbose:
                print(f"  {seconds:5.1f} s  {unit.label(root)}")
            unit_findings = parse_findings(result.stdout)
            for key, lines in unit_findings:
                findings.setdefault(key, lines)
            if result.returncode != 0 and not unit_findings:
                failures.append(f"clang-tidy failed on {unit.label(root)} "
                                f"(exit {result.returncode}):\n{result.stdout}{result.stderr}")
    elapsed = time.monotonic() - started

    for key in sorted(findings):
        for line in findings[key]:
            print(line.replace(f"{root}/", ""))
    for failure in failures:
        print(failure)
    print(f"static-clang-tidy: {len(findings)} finding(s) in {len(units)} translation units "
          f"({elapsed:.0f} s, {args.jobs} at a time)")
    return 1 if findings or failures else 0


if __name__ == "__main__":
    sys.exit(main())
