"""Line and branch counts of a gcov-instrumented build, merged per source file.

Runs gcov (`--json-format --stdout --branch-probabilities`) over the .gcda
files of one build and merges what every translation unit says about every
source file: a header compiled into several units counts each line once,
covered when any unit ran it, and each branch once (per function and
position on its line), taken when any unit took it; the counts are the sums
over the units. Branches gcc adds for
exceptions (`throw`) are left out: the runtime is built without exceptions.
"""
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field


class GcovError(Exception):
    """gcov failed or wrote something this module can't read."""


@dataclass
class Function:
    name: str         # demangled
    start_line: int
    end_line: int
    count: int        # calls (summed over the units)


@dataclass
class FileCoverage:
    # line number -> execution count (summed over the units that compiled it)
    lines: dict = field(default_factory=dict)
    # (line, function, index) -> times taken (summed over the units)
    branches: dict = field(default_factory=dict)
    # mangled name -> Function
    functions: dict = field(default_factory=dict)
    # lines of functions left out of the counts
    left_out: set = field(default_factory=set)

    def leave_out(self, mangled):
        """Drops a never-called function's lines and branches from the counts."""
        function = self.functions[mangled]
        for number in range(function.start_line, function.end_line + 1):
            if self.lines.get(number) == 0:
                del self.lines[number]
                self.left_out.add(number)
        self.branches = {key: count for key, count in self.branches.items() if key[1] != mangled}

    def line_totals(self):
        return sum(1 for count in self.lines.values() if count > 0), len(self.lines)

    def branch_totals(self):
        return sum(1 for count in self.branches.values() if count > 0), len(self.branches)

    def branches_on(self, line):
        """(taken, total) branches on one line."""
        counts = [count for (number, _, _), count in self.branches.items() if number == line]
        return sum(1 for count in counts if count > 0), len(counts)


def run_gcov(gcov, gcda_files):
    """gcov's JSON documents (one per .gcda file)."""
    if not gcda_files:
        raise GcovError("no .gcda files: the instrumented binary wrote no coverage data")
    # gcov writes nothing with --stdout, but run it where a stray file can't land
    # in the source or build tree.
    with tempfile.TemporaryDirectory(prefix="tessera-gcov-") as scratch:
        result = subprocess.run(
            [gcov, "--json-format", "--stdout", "--branch-probabilities"]
            + [os.path.abspath(path) for path in gcda_files],
            cwd=scratch, capture_output=True, text=True)
    if result.returncode != 0:
        raise GcovError(f"{gcov} exited with status {result.returncode}: {result.stderr.strip()}")
    # A gcov of another gcc version reads the notes wrongly and says so.
    if re.search(r"version '[^']*', prefer", result.stderr):
        raise GcovError(f"{gcov} does not match the compiler: {result.stderr.strip()}")
    documents = []
    for text in result.stdout.splitlines():
        if not text.strip():
            continue
        try:
            documents.append(json.loads(text))
        except json.JSONDecodeError as error:
            raise GcovError(f"unreadable gcov output: {error}") from None
    if len(documents) != len(gcda_files):
        raise GcovError(f"gcov described {len(documents)} of {len(gcda_files)} data files")
    return documents


def merge(documents):
    """Absolute source path -> FileCoverage over every unit."""
    files = {}
    for document in documents:
        base = document.get("current_working_directory", "")
        for entry in document["files"]:
            path = os.path.normpath(os.path.join(base, entry["file"]))
            coverage = files.setdefault(path, FileCoverage())
            for function in entry.get("functions", []):
                calls = function["execution_count"]
                known = coverage.functions.get(function["name"])
                if known is None:
                    coverage.functions[function["name"]] = Function(
                        function.get("demangled_name", function["name"]), function["start_line"],
                        function["end_line"], calls)
                else:
                    known.count += calls
            for line in entry["lines"]:
                number = line["line_number"]
                coverage.lines[number] = coverage.lines.get(number, 0) + line["count"]
                branches = [branch for branch in line["branches"] if not branch["throw"]]
                for index, branch in enumerate(branches):
                    key = (number, line.get("function_name", ""), index)
                    coverage.branches[key] = coverage.branches.get(key, 0) + branch["count"]
    return files
