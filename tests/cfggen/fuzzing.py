#!/usr/bin/python3
"""Robustness fuzzing of cfggen: mutated DTS sources, DTBs and images of the checked-in
configurations must each end in a valid configuration or in rule errors, never in a
Python exception (which a user would see as a traceback).

  /usr/bin/python3 tests/cfggen/fuzzing.py [--seed N] [--cases N] [--keep DIR]

prints the seed, the number of cases of each kind, the outcomes and the time; it
exits 1 after listing the cases that failed (each can be replayed with its seed
and index). test_fuzz.py runs it in the test suite.

cfggen runs in this process (no interpreter start per case). dtc still runs as a
program, but only for sources that changed: its results are remembered by file
content. A DTB mutation replaces what dtc made of one file; an image mutation
rewrites one guest image.
"""

import argparse
import contextlib
import io
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tools" / "cfggen"))
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

# pylint: disable=wrong-import-position
import cfggen  # noqa: E402
import dtc  # noqa: E402
import props  # noqa: E402
from fdtree import read_tree  # noqa: E402
from cfgtest import UBOOT_ELF, code, make_elf  # noqa: E402
from rules import RULES  # noqa: E402

REPORTS = []        # every Report of this process (the test suite prints them)
DEFAULT_SEED = 20240605
DEFAULT_CASES = 3000
CASE_TIMEOUT = 10   # seconds; a case that takes longer counts as a failure (a hang)
KINDS = (("dts", 0.70), ("dtb", 0.22), ("image", 0.08))  # share of the cases
ERROR_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<severity>error|warning): "
                        r"\[(?P<rule>CFG-[A-Z]+-\d{3})\] ")
INTERESTING_NUMBERS = ("0", "1", "2", "7", "8", "0x3", "0xff", "0x1000", "0xfff", "0x200000",
                       "0x7fffffff", "0x80000000", "0xffffffff", "0x100000000", "0x4000000",
                       "0x80200000", "0xc000000", "0x10000000", "128", "127", "1023", "4096",
                       "0x20000000000", "65535")
INTERESTING_STRINGS = ("", "okay", "disabled", "/", "/soc", "/soc/serial@10000000",
                       "/soc/plic@c000000", "/nowhere", "riscv,plic0", "ns16550a",
                       "virtio,mmio", "sifive,uart0", "riscv,aplic", "memory", "cpu",
                       "tessera,hypervisor", "rv64imac_zicsr_sstc", "rv64", "x" * 300,
                       "${build}", "${nope}/x", "../../etc", "caf\\xc3\\xa9", "a\\tb")
SNIPPETS = ("tessera,passthrough;", 'status = "disabled";', "interrupts = <5>;",
            "interrupt-parent = <0x1>;", "interrupts-extended = <0x1 9>;",
            "#address-cells = <1>;", "#size-cells = <0>;", "#interrupt-cells = <2>;",
            "reg = <0x0 0x10001000 0x0 0x1000>;", "reg = <0x0>;", "ranges;",
            "ranges = <0x0 0x0 0x0 0x10000000 0x0 0x1000>;", 'device_type = "memory";',
            'device_type = "cpu";', "tessera,hart = <3>;", "tessera,host-address = <0x0 0x1>;",
            "tessera,host-ranges = <0x0 0x80000000 0x0 0x90000000 0x0 0x1000>;",
            'tessera,image = "nothing.elf";', "tessera,load-address = <0x0 0x80200000>;",
            "tessera,entry = <0x0 0x80200001>;", "tessera,dtb-address = <0x0 0x80000000>;",
            'compatible = "riscv,plic0";', 'compatible = "ns16550a";',
            'compatible = "google,goldfish-rtc";', "interrupt-controller;", "riscv,ndev = <3>;",
            "x { };", "cpu@9 { device_type = \"cpu\"; reg = <9>; };",
            "node@0 { reg = <0x0 0x0 0x0 0x1000>; tessera,passthrough = \"/soc\"; };",
            "};", "{", "/delete-node/ &plic;", "label: n { };")


# --- the corpus: the checked-in configurations, with stand-in images -------------

@dataclass
class Corpus:
    root: Path                                   # the workspace
    scenarios: list = field(default_factory=list)  # scenario paths
    sources: list = field(default_factory=list)    # every .dts the scenarios read
    images: list = field(default_factory=list)     # every image file
    build: Path = None                           # what ${build} expands to
    platforms: Path = None


def make_corpus(root):
    """Copy every checked-in configuration and platform into `root`, with images."""
    root = Path(root)
    corpus = Corpus(root, build=root / "build", platforms=root / "platforms")
    shutil.copytree(REPO / "platform", corpus.platforms,
                    ignore=shutil.ignore_patterns("*.hpp", "*.ld", "*.md"))
    for name, directory in (("configs", REPO / "configs"),
                            ("test-configs", REPO / "tests" / "configs"),
                            ("fixtures", HERE / "fixtures")):
        shutil.copytree(directory, root / name)
    uboot_bin = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
    for path in sorted(root.glob("*/*.dts")):
        text = path.read_text()
        if uboot_bin in text:
            path.write_text(text.replace(uboot_bin, "${build}/u-boot.bin"))
        (corpus.scenarios if path.name.endswith(".scenario.dts") else corpus.sources).append(path)
    corpus.sources += sorted(corpus.platforms.glob("*/host.dts"))
    for path in corpus.sources:
        match = re.search(r'tessera,image = "([^"]+)"', path.read_text())
        if match is None:
            continue
        image = Path(match[1].replace("${build}", str(corpus.build)))
        image = image if image.is_absolute() else path.parent / image
        image.parent.mkdir(parents=True, exist_ok=True)
        if "tessera,load-address" in path.read_text():
            image.write_bytes(code(0x3000))
        elif image.name == "uboot.elf":
            make_elf(image, UBOOT_ELF, 0x80200000)
        else:
            base = _ram_base(path) + 0x200000
            make_elf(image, [(base, code(0x1800), 0x3000)], base)
        corpus.images.append(image)
    return corpus


def _ram_base(guest_dts):
    """The guest-physical base of a guest DT's first RAM range."""
    root = read_tree(dtc.compile_dts(str(guest_dts))[0])
    memory = next(node for node in root.walk() if props.is_device_type(node, "memory"))
    return props.reg(memory)[0][0]


# --- dtc, remembered by content ----------------------------------------------------

class DtcCache:
    """dtc.compile_dts/annotate_dts results by (path, content); DTB replacements by path."""

    def __init__(self):
        self.results = {}
        self.dtb_override = {}   # absolute path -> bytes given instead of dtc's DTB
        self._compile, self._annotate = dtc.compile_dts, dtc.annotate_dts

    def install(self):
        dtc.compile_dts, dtc.annotate_dts = self.compile_dts, self.annotate_dts

    def uninstall(self):
        dtc.compile_dts, dtc.annotate_dts = self._compile, self._annotate

    def _remembered(self, function, path):
        key = (function.__name__, path, Path(path).read_bytes())
        if key not in self.results:
            try:
                self.results[key] = (True, function(path))
            except dtc.DtcFailed as failure:
                self.results[key] = (False, failure)
        ok, value = self.results[key]
        if not ok:
            raise value
        return value

    def compile_dts(self, path):
        dtb, includes = self._remembered(self._compile, path)
        return self.dtb_override.get(path, dtb), includes

    def annotate_dts(self, path):
        return self._remembered(self._annotate, path)


# --- mutations -----------------------------------------------------------------------

def mutate_text(text, rng):
    """(mutated bytes, what was done) of a DTS source."""
    data = _encode(text)
    lines = text.splitlines(keepends=True)
    choice = rng.randrange(9)
    if choice == 0 and data:
        mutable = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            mutable[rng.randrange(len(mutable))] ^= 1 << rng.randrange(8)
        return bytes(mutable), "byte flips"
    if choice == 1 and lines:
        index = rng.randrange(len(lines))
        del lines[index]
        return _encode("".join(lines)), f"deleted line {index + 1}"
    if choice == 2 and lines:
        index = rng.randrange(len(lines))
        lines.insert(index, lines[index])
        return _encode("".join(lines)), f"duplicated line {index + 1}"
    if choice == 3:
        numbers = list(re.finditer(r"\b(0x[0-9a-fA-F]+|\d+)\b", text))
        if numbers:
            found = rng.choice(numbers)
            new = _new_number(found[0], rng)
            return _encode(text[:found.start()] + new + text[found.end():]), \
                f"number {found[0]} -> {new} at offset {found.start()}"
    if choice == 4:
        strings = list(re.finditer(r'"([^"\\\n]*)"', text))
        if strings:
            found = rng.choice(strings)
            new = _new_string(found[1], rng)
            return _encode(text[:found.start(1)] + new + text[found.end(1):]), \
                f'string "{found[1]}" -> "{new}"'
    if choice == 5 and data:
        cut = rng.randrange(len(data))
        return data[:cut], f"truncated at byte {cut}"
    if choice == 6 and lines:
        index = rng.randrange(len(lines) + 1)
        snippet = rng.choice(SNIPPETS)
        lines.insert(index, "\t" + snippet + "\n")
        return _encode("".join(lines)), f"inserted {snippet!r} at line {index + 1}"
    if choice == 7 and len(lines) > 1:
        first, second = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[first], lines[second] = lines[second], lines[first]
        return _encode("".join(lines)), f"swapped lines {first + 1} and {second + 1}"
    if lines:
        index = rng.randrange(len(lines))
        cut = rng.randrange(len(lines[index]) + 1)
        lines[index] = lines[index][:cut] + "\n"
        return _encode("".join(lines)), f"cut line {index + 1} at column {cut}"
    return data + b"\0", "appended a NUL"


def _encode(text):
    """Bytes of a source decoded with surrogateescape (byte flips make invalid UTF-8)."""
    return text.encode("utf-8", "surrogateescape")


def _new_number(old, rng):
    choice = rng.randrange(4)
    if choice == 0:
        return rng.choice(INTERESTING_NUMBERS)
    value = int(old, 16) if old.lower().startswith("0x") else int(old)
    if choice == 1:
        return hex(max(0, value + rng.choice((-1, 1, 0x1000, -0x1000, 0x800))))
    if choice == 2:
        return hex(value * 2 if value else 1)
    return hex(rng.getrandbits(rng.choice((4, 12, 32))))


def _new_string(old, rng):
    choice = rng.randrange(3)
    if choice == 0:
        return rng.choice(INTERESTING_STRINGS)
    if choice == 1 and old:
        index = rng.randrange(len(old))
        return old[:index] + rng.choice("aZ/,@_-.0\\") + old[index + 1:]
    return old[:rng.randrange(len(old) + 1)]


FDT_HEADER_FIELDS = 10  # 32-bit big-endian words


def mutate_blob(blob, rng, fdt=False):
    """(mutated bytes, what was done) of a DTB (fdt=True) or an image."""
    mutable = bytearray(blob)
    choice = rng.randrange(4)
    if choice == 0:
        cut = rng.randrange(len(blob) + 1)
        return bytes(blob[:cut]), f"truncated to {cut} bytes"
    if choice == 1 and fdt:
        word = rng.randrange(FDT_HEADER_FIELDS)
        value = rng.choice((0, 1, 0x28, len(blob), len(blob) + 8, 0xFFFFFFFF,
                            rng.getrandbits(32)))
        mutable[4 * word:4 * word + 4] = value.to_bytes(4, "big")
        return bytes(mutable), f"header word {word} = {value:#x}"
    if choice == 2 and blob:
        start = rng.randrange(len(blob))
        for offset in range(rng.randint(1, 16)):
            if start + offset < len(mutable):
                mutable[start + offset] = rng.getrandbits(8)
        return bytes(mutable), f"random bytes at {start:#x}"
    for _ in range(rng.randint(1, 8)):
        if mutable:
            mutable[rng.randrange(len(mutable))] ^= 1 << rng.randrange(8)
    return bytes(mutable), "bit flips"


# --- running -------------------------------------------------------------------------

@dataclass
class Failure:
    index: int
    kind: str
    target: str
    mutation: str
    problem: str


@dataclass
class Report:
    seed: int
    cases: int
    kinds: dict = field(default_factory=dict)     # kind -> count
    outcomes: dict = field(default_factory=dict)  # "valid" / "rule errors" -> count
    rules_seen: set = field(default_factory=set)
    failures: list = field(default_factory=list)
    seconds: float = 0.0

    def summary(self):
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.kinds.items()))
        outcomes = ", ".join(f"{count} {name}" for name, count in sorted(self.outcomes.items()))
        return (f"cfggen fuzz: seed {self.seed}, {self.cases} cases ({kinds}) in "
                f"{self.seconds:.1f} s: {outcomes}; {len(self.rules_seen)} rules reported; "
                f"{len(self.failures)} failure(s)")


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def run_case(corpus, cache, scenario, out_dir=None):
    """(status, stdout, stderr) of cfggen on `scenario`, in this process."""
    command = (["generate", "--out", out_dir] if out_dir else ["check"])
    args = [*command, "--scenario", scenario, "--build-dir", corpus.build,
            "--platform-root", corpus.platforms]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.chdir(corpus.root), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        try:
            status = cfggen.main([str(arg) for arg in args])
        except SystemExit as exit_request:
            status = exit_request.code
    return status, stdout.getvalue(), stderr.getvalue()


def judge(status, stdout, stderr, out_dir=None):
    """What is wrong with an outcome (None: valid output or clean rule errors), and the
    rules it reported."""
    rules_seen = {match["rule"] for match in map(ERROR_LINE.match, stderr.splitlines()) if match}
    unknown = rules_seen - set(RULES)
    if unknown:
        return f"unknown rule ids {sorted(unknown)}", rules_seen
    if status == 0:
        if "error: [" in stderr:
            return "exit status 0 with errors", rules_seen
        if out_dir is None and not stdout.startswith("Tessera configuration review: "):
            return "exit status 0 without a review", rules_seen
        if out_dir is not None and not (Path(out_dir) / "tessera_scenario.hpp").is_file():
            return "exit status 0 without the generated header", rules_seen
        return None, rules_seen
    if status != 1:
        return f"exit status {status}", rules_seen
    errors = [line for line in stderr.splitlines() if ": error: [CFG-" in line]
    if not errors or not re.search(r"^cfggen: \d+ error\(s\)$", stderr, re.M):
        return "exit status 1 without a located rule error", rules_seen
    if any(not ERROR_LINE.match(line) for line in errors):
        return "an error line without file:line: error: [RULE]", rules_seen
    if stderr.count("\n  hint: ") < len(errors):
        return "an error without its hint", rules_seen
    if out_dir is not None and Path(out_dir).exists():
        return "a rejected configuration left its output directory", rules_seen
    return None, rules_seen


def fuzz(seed=DEFAULT_SEED, cases=DEFAULT_CASES, workspace=None, log=None):
    """Run `cases` mutated configurations; returns the Report."""
    started = time.monotonic()
    rng = random.Random(seed)
    report = Report(seed, cases)
    with tempfile.TemporaryDirectory(prefix="cfggen-fuzz-") as scratch:
        corpus = make_corpus(workspace or scratch)
        cache = DtcCache()
        cache.install()
        previous = signal.signal(signal.SIGALRM, _alarm)
        try:
            _check_corpus(corpus, cache)
            for index in range(cases):
                kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
                report.kinds[kind] = report.kinds.get(kind, 0) + 1
                _one_case(corpus, cache, rng, index, kind, report)
                if log and (index + 1) % 500 == 0:
                    log(f"  {index + 1} cases, {time.monotonic() - started:.1f} s")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            cache.uninstall()
    report.seconds = time.monotonic() - started
    return report


def _check_corpus(corpus, cache):
    """The unmutated configurations must work (except the one that is broken on purpose)."""
    for scenario in corpus.scenarios:
        status, _, stderr = run_case(corpus, cache, scenario)
        broken = scenario.name.startswith("broken-")
        if status != (1 if broken else 0):
            raise RuntimeError(f"corpus scenario {scenario} gave exit status {status}:\n{stderr}")


def _one_case(corpus, cache, rng, index, kind, report):
    scenario = rng.choice(corpus.scenarios)
    restore = []
    target, mutation = scenario, "none yet"
    try:
        target, mutation = _apply(corpus, cache, rng, kind, scenario, restore)
        out_dir = corpus.root / "out" if index % 25 == 0 else None
        signal.setitimer(signal.ITIMER_REAL, CASE_TIMEOUT)
        try:
            status, stdout, stderr = run_case(corpus, cache, scenario, out_dir)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        problem, rules_seen = judge(status, stdout, stderr, out_dir)
        report.rules_seen |= rules_seen
        outcome = "valid" if status == 0 else "rule errors"
        report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
    except _Timeout:
        problem = f"took more than {CASE_TIMEOUT} s"
    except Exception:  # pylint: disable=broad-except
        problem = "exception:\n" + traceback.format_exc()
    finally:
        for undo in reversed(restore):
            undo()
        if (corpus.root / "out").exists():
            shutil.rmtree(corpus.root / "out")
    if problem:
        report.failures.append(Failure(index, kind, str(target.relative_to(corpus.root)),
                                       mutation, problem))


def _apply(corpus, cache, rng, kind, scenario, restore):
    """Mutate one input of `scenario` (remembering how to undo it); (path, what was done)."""
    if kind == "image":
        target = rng.choice(corpus.images)
        original = target.read_bytes()
        restore.append(lambda: target.write_bytes(original))
        data, mutation = mutate_blob(original, rng)
        target.write_bytes(data)
        return target, mutation
    target = rng.choice(_inputs_of(corpus, scenario))
    original = target.read_bytes()
    if kind == "dtb":
        try:
            dtb, _ = cache.compile_dts(str(target))
        except dtc.DtcFailed:
            dtb = b""
        data, mutation = mutate_blob(dtb, rng, fdt=True)
        cache.dtb_override[str(target)] = data
        restore.append(lambda: cache.dtb_override.pop(str(target), None))
        return target, "DTB " + mutation
    restore.append(lambda: target.write_bytes(original))
    data, done = original, []
    for _ in range(rng.choice((1, 1, 2, 3))):
        data, mutation = mutate_text(data.decode("utf-8", "surrogateescape"), rng)
        done.append(mutation)
    target.write_bytes(data)
    return target, "; ".join(done)


def _inputs_of(corpus, scenario):
    """The scenario file, its guests and its platform's host DT."""
    text = scenario.read_text()
    guests = [scenario.parent / name for name in re.findall(r'"([^"]+\.dts)"', text)]
    platform = re.search(r'tessera,platform = "([^"]+)"', text)[1]
    return [scenario, *guests, corpus.platforms / platform / "host.dts"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--keep", help="work in this (new) directory and leave it")
    args = parser.parse_args(argv)
    if args.keep:
        os.makedirs(args.keep)
    print(f"cfggen fuzz: seed {args.seed}, {args.cases} cases", flush=True)
    report = fuzz(args.seed, args.cases, args.keep, log=print)
    for failure in report.failures:
        print(f"case {failure.index} ({failure.kind}, {failure.target}: {failure.mutation}): "
              f"{failure.problem}")
    print(report.summary())
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
