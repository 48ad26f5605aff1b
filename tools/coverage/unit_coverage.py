#!/usr/bin/python3
"""How much of core/ the unit tests run: line and branch coverage by gcov.

Runs the unit tests built with --coverage (tests/CMakeLists.txt:
unit_tests_coverage, -O0, no sanitizers) after removing the previous run's
counts, reads what gcov says about every source file (gcov_data.py), and
prints one row per file of core/ that the unit tests compile, then the
constexpr functions left out of the counts (leave_out_compile_time), the
files of core/ they include that have no executable line, those never
compiled into the unit tests (target-only: RISC-V assembly, CSRs, the trap
path, ...), unit-tested files outside core/, and last the total, such as

  core/ unit-test coverage: 87.3% lines (1234/1413), 72.0% branches (300/416) ...

With --report FILE the same text is written to FILE; with --annotate DIR
every measured file is written as DIR/<path>.gcov: each source line with its
execution count (##### = never run, - = no code, = = left out: a constexpr
function never called at run time) and, where it has branches, how many of
them were taken, over every unit that compiled it.

Exit status: 0 when the measurement worked (the unit tests passed under
coverage, gcov read every data file, every unit-tested source of core/ has
counts), 1 otherwise. There is no coverage threshold.
"""
import argparse
import os
import re
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gcov_data import GcovError, merge, run_gcov  # noqa: E402

SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".c", ".S")
CONSTEXPR = re.compile(r"\bconst(expr|eval)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


class MeasurementError(Exception):
    pass


def files_below(root, scope):
    found = []
    for directory, _, names in os.walk(os.path.join(root, scope)):
        found += [os.path.join(directory, name) for name in names if name.endswith(SOURCE_SUFFIXES)]
    return sorted(found)


def declaration_text(lines, start_line):
    """The line naming a function and the lines of its declaration just above it."""
    first = start_line - 1
    while first > 0 and first > start_line - 4:
        above = lines[first - 1].strip()
        if not above or above.endswith((";", "{", "}")) or above.startswith(("//", "#")):
            break
        first -= 1
    return " ".join(lines[first:start_line])


def leave_out_compile_time(root, scope, coverage):
    """Drops constexpr/consteval functions never called at run time from the counts.

    -fkeep-inline-functions makes gcc emit every inline function of a header,
    so one no test calls counts as lines never run. A constexpr function the
    compiler evaluated instead (a table built for a static_assert, an object
    constant-initialized) is never called either, yet ran; the tests can't
    tell the two apart, so such functions are left out and listed by name.
    """
    left_out = []
    for path, data in coverage.items():
        if not path.startswith(os.path.join(root, scope) + os.sep):
            continue
        with open(path, encoding="utf-8", errors="replace") as source:
            lines = source.read().splitlines()
        for mangled, function in list(data.functions.items()):
            declaration = declaration_text(lines, function.start_line)
            if function.count == 0 and CONSTEXPR.search(declaration):
                data.leave_out(mangled)
                where = f"{os.path.relpath(path, root)}:{function.start_line}"
                left_out.append((where, function.name))
    return [f"{where} {name}" for where, name in sorted(left_out)]


def included_closure(sources, include_dirs):
    """The sources and every project file they reach through #include "..."."""
    seen, pending = set(), [os.path.abspath(source) for source in sources]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        with open(path, encoding="utf-8") as source:
            names = INCLUDE.findall(source.read())
        for name in names:
            for directory in [os.path.dirname(path)] + include_dirs:
                candidate = os.path.normpath(os.path.join(directory, name))
                if os.path.isfile(candidate):
                    pending.append(candidate)
                    break
    return seen


def run_unit_tests(binary, objects):
    for directory, _, names in os.walk(objects):
        for name in names:
            if name.endswith(".gcda"):
                os.remove(os.path.join(directory, name))
    result = subprocess.run([binary], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout + result.stderr)
        raise MeasurementError(
            f"the unit tests failed under coverage (status {result.returncode})")
    summary = [line for line in result.stdout.splitlines()
               if line.startswith("[doctest] test cases")]
    return summary[0] if summary else ""


def gcda_files(objects):
    return sorted(os.path.join(directory, name)
                  for directory, _, names in os.walk(objects) for name in names
                  if name.endswith(".gcda"))


def percent(hit, total):
    return f"{100.0 * hit / total:5.1f}%" if total else "    -"


def ratio(hit, total):
    return f"{percent(hit, total)} ({hit}/{total})" if total else "-"


def non_blank_lines(path):
    with open(path, encoding="utf-8", errors="replace") as source:
        return sum(1 for line in source if line.strip())


def wrapped(label, items):
    body = textwrap.fill(", ".join(items), width=100, initial_indent="    ",
                         subsequent_indent="    ", break_on_hyphens=False)
    return f"  {label}:\n{body}"


def report(root, scope, coverage, compiled, compile_time, gcov_version):
    rel = {path: os.path.relpath(path, root) for path in coverage}
    in_scope = files_below(root, scope)
    measured = [path for path in in_scope if coverage.get(path) and coverage[path].lines]
    declarations = [path for path in in_scope if path in compiled and path not in measured]
    target_only = [path for path in in_scope if path not in compiled and path not in measured]
    outside = sorted(path for path, data in coverage.items()
                     if data.lines and path.startswith(root + os.sep)
                     and not path.startswith(os.path.join(root, scope) + os.sep)
                     and not rel[path].startswith("tests" + os.sep))

    width = max([len(rel[path]) for path in measured + outside] + [4])
    out = [f"{scope}/ unit-test coverage (tests/unit built with --coverage -O0, "
           f"counted by gcov {gcov_version})",
           f"  {'file':<{width}}  {'lines':<20}  branches"]
    line_hit = line_total = branch_hit = branch_total = 0
    for path in measured:
        lines, branches = coverage[path].line_totals(), coverage[path].branch_totals()
        out.append(f"  {rel[path]:<{width}}  {ratio(*lines):<20}  {ratio(*branches)}")
        line_hit, line_total = line_hit + lines[0], line_total + lines[1]
        branch_hit, branch_total = branch_hit + branches[0], branch_total + branches[1]
    if compile_time:
        out.append("  left out: constexpr functions never called at run time "
                   "(evaluated by the compiler, or unused):")
        out += [f"    {function}" for function in compile_time]
    if declarations:
        out.append(wrapped("compiled into the unit tests, no executable line",
                           [os.path.relpath(path, root) for path in declarations]))
    if target_only:
        size = sum(non_blank_lines(path) for path in target_only)
        out.append(wrapped(f"not unit-tested (target-only): {len(target_only)} files, "
                           f"{size} non-blank source lines",
                           [os.path.relpath(path, root) for path in target_only]))
    for path in outside:
        out.append(f"  outside {scope}/, not in the total: {rel[path]} "
                   f"{ratio(*coverage[path].line_totals()).strip()} lines, "
                   f"{ratio(*coverage[path].branch_totals()).strip()} branches")
    out.append(f"{scope}/ unit-test coverage: {percent(line_hit, line_total).strip()} lines "
               f"({line_hit}/{line_total}), {percent(branch_hit, branch_total).strip()} branches "
               f"({branch_hit}/{branch_total}) in the {len(measured)} files the unit tests run; "
               f"{len(target_only)} target-only files not unit-tested")
    return "\n".join(out) + "\n", measured


def annotate(root, directory, coverage, paths):
    for below, _, names in os.walk(directory):  # the views of files since removed
        for name in names:
            if name.endswith(".gcov"):
                os.remove(os.path.join(below, name))
    for path in paths:
        data = coverage[path]
        target = os.path.join(directory, os.path.relpath(path, root) + ".gcov")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(path, encoding="utf-8", errors="replace") as source:
            text = source.read().splitlines()
        with open(target, "w", encoding="utf-8") as out:
            out.write(f"{'count':>9} {'branch':>7}:{'line':>5}:{os.path.relpath(path, root)}\n")
            for number, line in enumerate(text, start=1):
                count = data.lines.get(number)
                if count is None:
                    shown = "=" if number in data.left_out else "-"
                else:
                    shown = "#####" if count == 0 else str(count)
                taken, total = data.branches_on(number)
                branch = f"{taken}/{total}" if total else ""
                out.write(f"{shown:>9} {branch:>7}:{number:>5}:{line}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="the unit tests built with --coverage")
    parser.add_argument("--objects", required=True, help="directory of its .gcno/.gcda files")
    parser.add_argument("--gcov", default="gcov", help="the gcov of the compiler that built it")
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--scope", default="core", help="directory of the source root to report")
    parser.add_argument("--include-dir", action="append", default=[],
                        help="the binary's include directories (to find the headers it compiles)")
    parser.add_argument("--sources", nargs="+", required=True,
                        help="the translation units compiled into the binary")
    parser.add_argument("--report", help="also write the report to this file")
    parser.add_argument("--annotate", help="write per-line views of the measured files here")
    args = parser.parse_args()

    root = os.path.abspath(args.source_root)
    try:
        doctest_summary = run_unit_tests(args.binary, args.objects)
        documents = run_gcov(args.gcov, gcda_files(args.objects))
        coverage = merge(documents)
        compile_time = leave_out_compile_time(root, args.scope, coverage)
        compiled = included_closure(args.sources, [os.path.abspath(d) for d in args.include_dir])
        unmeasured = [os.path.relpath(path, root) for path in sorted(compiled)
                      if os.path.relpath(path, root).startswith(args.scope + os.sep)
                      and path.endswith((".cpp", ".c")) and not coverage.get(path)]
        if unmeasured:
            raise MeasurementError("no counts for " + ", ".join(unmeasured))
        text, measured = report(root, args.scope, coverage, compiled, compile_time,
                                documents[0].get("gcc_version", "?"))
        if not measured:
            raise MeasurementError(f"no file of {args.scope}/ has counts")
    except (GcovError, MeasurementError, OSError) as error:
        print(f"unit-coverage: measurement failed: {error}", file=sys.stderr)
        return 1

    if doctest_summary:
        print(doctest_summary)
    sys.stdout.write(text)
    if args.report:
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
        with open(args.report, "w", encoding="utf-8") as out:
            out.write(text)
    if args.annotate:
        annotate(root, args.annotate, coverage, measured)
        print(f"per-line views: {args.annotate}/{args.scope}/...gcov")
    return 0


if __name__ == "__main__":
    sys.exit(main())
