#!/usr/bin/python3
"""Worst-case stack depth of every way into the hypervisor, against its stack.

For each hypervisor image (one per scenario) this computes, from every entry
point of the assembly (core/arch/riscv/entry.S: boot, secondary harts, the
trap vector's SBI, MMIO and other-exit paths, the MMIO fetch-fault vector, a
trap taken in HS-mode), the deepest chain of calls the code can make, adds up
the frames, and fails if it exceeds the per-hart stack the image allots
(the value of its `tessera_stack_size` symbol, i.e. kStackSize in
core/scenario/storage.cpp, as built).

Where the figures come from:
  - frames: the compiler's -fstack-usage output (clang's .su files; g++'s
    -fcallgraph-info=su .ci files, which name functions as the symbol table
    does), each checked against the machine code: the function must lower
    sp by exactly that much (`addi sp, sp, -N`) and write sp no other way.
    A function without a figure, or with a dynamic frame (alloca, a
    variable-length array), fails the check;
  - calls: the linked image's machine code (machine_code.py), so that calls
    the compiler adds itself (memcpy) and tail calls are counted; with g++
    each function's calls must also equal those in its .ci call graph;
  - the assembly's own stack and calls: declared in
    core/arch/riscv/entry_stack.txt and checked against the code;
  - function pointers: the code addresses the image's code materialises
    (auipc+addi) and those its objects' data sections hold (their
    relocations), and the ELF entry point;
  - indirect calls: each one is named by the source function it is written
    in (from the debug info, through inlining) and resolved through
    core/indirect_calls.txt. A call not in that table, a table target whose
    address the image never takes, a function whose address is taken that
    is neither a table target nor a declared entry, and a table line no call
    uses all fail the check.
Recursion (a cycle in the call graph) fails the check. Tail calls are
counted like calls (an upper bound: the caller's frame is really gone).

Exit status 0 when every entry of every image fits, 1 otherwise.
"""
import argparse
import functools
import glob
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compiler_stack_info import INDIRECT, read_stack_info  # noqa: E402
from declarations import DeclarationError, read_asm_entries, read_indirect_calls  # noqa: E402
from elf_image import ElfImage  # noqa: E402
from machine_code import CodeError, MachineCode  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENTRIES = os.path.join(ROOT, "core", "arch", "riscv", "entry_stack.txt")
INDIRECT_CALLS = os.path.join(ROOT, "core", "indirect_calls.txt")
BUDGET_SYMBOL = "tessera_stack_size"


class CheckError(Exception):
    pass


def plain_name(demangled):
    """`ns::Class::f(int) const` -> `ns::Class::f`: the name without parameters."""
    name = demangled.strip()
    for qualifier in (" const", " volatile", " &&", " &"):
        if name.endswith(qualifier):
            name = name[:-len(qualifier)]
    if not name.endswith(")"):
        return name
    depth = 0
    for index in range(len(name) - 1, -1, -1):
        if name[index] == ")":
            depth += 1
        elif name[index] == "(":
            depth -= 1
            if depth == 0:
                return name[:index]
    return name


def demangle(cxxfilt, names):
    out = subprocess.run([cxxfilt], input="\n".join(names) + "\n", check=True,
                         capture_output=True, text=True).stdout.splitlines()
    if len(out) != len(names):
        raise CheckError(f"{cxxfilt} gave {len(out)} names for {len(names)}")
    return dict(zip(names, out))


def inline_frames(symbolizer, image, addresses):
    """For each address, its (function, file:line) frames, innermost first."""
    if not addresses:
        return []
    out = subprocess.run([symbolizer, "--inlines", "--demangle", f"--obj={image}"],
                         input="".join(f"{a:#x}\n" for a in addresses), check=True,
                         capture_output=True, text=True).stdout
    blocks = out.strip("\n").split("\n\n")
    if len(blocks) != len(addresses):
        raise CheckError(f"{symbolizer} answered {len(blocks)} of {len(addresses)} addresses")
    result = []
    for block in blocks:
        lines = block.splitlines()
        result.append([(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2)])
    return result


@functools.lru_cache(maxsize=None)
def data_code_references(path):
    """Of an object file (the core's are shared by every image): see ElfImage."""
    return tuple(ElfImage(path).data_code_references())


def number(value):
    return f"{value:,}"


class ImageCheck:
    """The stack check of one image. errors collects every problem found."""

    def __init__(self, path, compiler, info_dirs, entries, indirect, tools, files):
        self.path, self.compiler = path, compiler
        self.entries, self.indirect, self.tools, self.files = entries, indirect, tools, files
        self.errors = []
        self.used_indirect = set()   # (caller, target) pairs some call needed
        self.image = ElfImage(path)
        self.code = MachineCode(self.image, tools.objdump)
        self.info = read_stack_info(info_dirs, compiler)
        self.objects = sorted(os.path.join(root, name) for d in info_dirs
                              for root, _dirs, names in os.walk(d) for name in names
                              if name.endswith((".obj", ".o")))
        if not self.info.files:
            raise CheckError(f"no {'.ci' if compiler == 'gcc' else '.su'} files in "
                             f"{', '.join(info_dirs)}: was the image built with -fstack-usage?")
        names = [s.name for s in self.code.functions.values()]
        demangled = demangle(tools.cxxfilt, names)
        self.plain = {a: plain_name(demangled[s.name]) for a, s in self.code.functions.items()}
        self.addresses_of = {}   # linkage name -> addresses (functions and assembly labels)
        for symbol in self.image.symbols:
            if symbol.value in self.code.functions or symbol.value in self.code.asm_symbols:
                self.addresses_of.setdefault(symbol.name, []).append(symbol.value)
        self.by_plain = {}
        for address, name in self.plain.items():
            self.by_plain.setdefault(name, []).append(address)

    # ---- names -----------------------------------------------------------
    def name(self, node):
        if node in self.code.functions:
            return self.plain[node]
        return self.asm_name(node)

    def asm_name(self, address):
        for name in self.code.asm_symbols.get(address, []):
            if name in self.entries:
                return name
        return "/".join(self.code.asm_symbols.get(address, [f"{address:#x}"]))

    def symbol_name(self, node):
        """As the compiler's call graph names it: the linkage name."""
        if node in self.code.functions:
            return self.code.functions[node].name
        return self.asm_name(node)

    # ---- the check -------------------------------------------------------
    def run(self):
        self.budget = self.image.read_u64(self.image.symbol(BUDGET_SYMBOL).value)
        self._check_stack_array()
        self._read_asm()
        self.function_code = {a: self.code.function_code(s) for a, s in self.code.functions.items()}
        self._collect_taken()
        self._resolve_indirect()
        self._check_taken()
        self.edges = {}
        for address, fc in self.function_code.items():
            self.edges[address] = [site.target for site in fc.calls] + [
                target for site in fc.indirect for target in site.targets]
        for address, walk in self.walks.items():
            self.edges[address] = list(walk.calls)
        self.frames, self.memo, self.visiting, self.copy_of = {}, {}, [], {}
        self.results = []
        for entry, address in self.entry_addresses.items():
            for callee in self.entries[entry].calls:
                if callee in self.entries[entry].nested:
                    continue
                self.results.append(self._entry_result(entry, callee, nested_on=None))
        deepest = max(self.results, key=lambda r: r["total"], default=None)
        for entry, address in self.entry_addresses.items():
            for callee in self.entries[entry].nested:
                self.results.append(self._entry_result(entry, callee, nested_on=deepest))
        if self.compiler == "gcc":
            self._cross_check_gcc()
        return self

    def _check_stack_array(self):
        stacks = self.image.symbol("tessera_stacks")
        harts = self.image.read_u32(self.image.symbol("tessera_hart_count").value)
        if stacks.size != harts * self.budget:
            self.errors.append(f"tessera_stacks is {stacks.size} B, not {harts} harts x "
                               f"{self.budget} B ({BUDGET_SYMBOL})")

    def _read_asm(self):
        self.entry_addresses, self.walks = {}, {}
        for name, entry in self.entries.items():
            try:
                symbol = self.image.symbol(name)
            except KeyError:
                self.errors.append(f"{self.files.entries}:{entry.line}: {name} is not in the image")
                continue
            if symbol.value in self.code.functions:
                self.errors.append(f"{self.files.entries}:{entry.line}: {name} is a compiled "
                                   "function, not assembly")
                continue
            walk = self.code.walk_asm(name, symbol.value)
            calls = {self.code.functions[a].name for a in walk.calls}
            if calls != set(entry.calls):
                missing, extra = sorted(set(entry.calls) - calls), sorted(calls - set(entry.calls))
                self.errors.append(
                    f"{self.files.entries}:{entry.line}: the code from {name} calls "
                    f"{', '.join(sorted(calls)) or 'nothing'}"
                    + (f"; declared but not called: {', '.join(missing)}" if missing else "")
                    + (f"; called but not declared: {', '.join(extra)}" if extra else ""))
            if walk.max_bytes != entry.bytes:
                self.errors.append(f"{self.files.entries}:{entry.line}: {name} declares "
                                   f"{entry.bytes} B of stack, its code uses {walk.max_bytes} B")
            self.entry_addresses[name] = symbol.value
            self.walks[symbol.value] = walk

    def _collect_taken(self):
        """Code addresses the image takes: in code (auipc+addi), in data, the ELF entry."""
        self.taken = {}
        for fc in self.function_code.values():
            for address in fc.taken:
                self.taken.setdefault(address, f"in {self.plain[fc.start]}")
        for walk in self.walks.values():
            for address in walk.taken:
                self.taken.setdefault(address, f"in the assembly from {walk.entry}")
        by_name = self.addresses_of
        for obj in self.objects:
            for name, addend in data_code_references(obj):
                if name.startswith(".text"):  # through a code section's symbol
                    function = name[len(".text."):]
                    if addend != 0 or function not in by_name:
                        self.errors.append(
                            f"{os.path.basename(obj)} stores the code address {name}+{addend} "
                            "in data, which the check can't tie to a function")
                        continue
                    name = function
                for address in by_name.get(name, ()):
                    self.taken.setdefault(address, f"stored in data by {os.path.basename(obj)}")
        self.taken.setdefault(self.image.entry, "the ELF entry point")

    def _resolve_indirect(self):
        sites = [(fc, site) for fc in self.function_code.values() for site in fc.indirect]
        frames = inline_frames(self.tools.symbolizer, self.path, [s.address for _, s in sites])
        for (fc, site), chain in zip(sites, frames):
            inlined = len(chain) > 1
            site.written_in = plain_name(chain[0][0]) if inlined else self.plain[fc.start]
            site.location = chain[0][1] if chain else "?"
            site.targets = []
            if site.written_in not in self.indirect:
                kind = "indirect tail call" if site.tail else "indirect call"
                self.errors.append(
                    f"unresolved {kind} at {site.address:#x} in {self.plain[fc.start]}, written in "
                    f"{site.written_in} ({site.location}): add its possible targets to "
                    f"{self.files.indirect} as '{site.written_in} -> TARGET'")
            for call in self.indirect.get(site.written_in, []):
                addresses = self.by_plain.get(call.target, [])
                if not addresses:
                    self.errors.append(f"{self.files.indirect}:{call.line}: {call.target} "
                                       f"(called from {call.caller}) is not a function of the image")
                site.targets += addresses
                self.used_indirect.add((call.caller, call.target))

    def _check_taken(self):
        targets = {a for fc in self.function_code.values() for s in fc.indirect for a in s.targets}
        declared = set(self.entry_addresses.values())
        for address, where in sorted(self.taken.items()):
            if address in declared or address in targets:
                continue
            self.errors.append(
                f"the address of {self.name(address)} is taken ({where}), but it is neither an "
                f"entry in {self.files.entries} nor a target in {self.files.indirect}: "
                "an indirect call could reach it unaccounted")
        for fc in self.function_code.values():
            for site in fc.indirect:
                for target in site.targets:
                    if target not in self.taken:
                        self.errors.append(
                            f"{self.files.indirect}: {self.plain[target]} is listed as a target "
                            f"of {site.written_in}, but the image never takes its address")

    def _frame(self, node):
        if node in self.frames:
            return self.frames[node]
        if node in self.code.functions:
            size = self._compiled_frame(node)
        else:
            entry = self.entries.get(self.asm_name(node))
            if entry is None or node not in self.walks:
                raise CheckError(f"compiled code calls assembly at {self.asm_name(node)}, which "
                                 f"{self.files.entries} does not declare")
            size = entry.bytes
        self.frames[node] = size
        return size

    def _compiled_frame(self, node):
        """The compiler's figure for the function at `node`, from the copy
        the link kept (an inline function may come from several objects,
        compiled differently): the one whose frame, and with g++ whose calls,
        are those of the machine code."""
        symbol, code = self.code.functions[node], self.function_code[node]
        copies = [c for a in self.code.aliases[node] for c in self.info.candidates(a.name, a.file)]
        if not copies:
            raise CheckError(f"no stack figure for {self.plain[node]} ({symbol.name}) in the "
                             f"compiler's output: compiled without -fstack-usage?")
        if code.sp_writes:
            raise CheckError(f"{self.plain[node]} writes sp in a way the check can't size: "
                             + "; ".join(code.sp_writes))
        dynamic = [c for c in copies if c.frame.qualifier == "dynamic"]
        if dynamic:
            raise CheckError(f"{self.plain[node]} has a dynamic stack frame of unknown size "
                             f"(alloca or a variable-length array; {dynamic[0].frame.source})")
        matching = [c for c in copies if c.frame.bytes == code.lowers_sp]
        if not matching:
            figures = ", ".join(f"{c.frame.bytes} B ({c.frame.source})" for c in copies)
            raise CheckError(f"{self.plain[node]}: its machine code lowers sp by "
                             f"{code.lowers_sp} B, the compiler's figure is {figures}")
        if self.compiler == "gcc":
            same_calls = [c for c in matching if not self._call_differences(node, c)]
            matching = same_calls or matching
        self.copy_of[node] = matching[0]
        return matching[0].frame.bytes

    def _call_differences(self, node, copy):
        """How the calls in g++'s call graph for `copy` differ from the
        machine code's at `node` (empty: they agree)."""
        fc = self.function_code[node]
        compiled_targets = {}
        for callee in copy.calls - {INDIRECT}:
            for address in self.addresses_of.get(callee, [None]):
                compiled_targets[address] = callee
        in_image = {site.target for site in fc.calls}
        problems = []
        for address, callee in sorted(compiled_targets.items(), key=lambda item: item[1]):
            if address not in in_image:
                problems.append(f"g++'s call graph has {self.plain[node]} call {callee}, "
                                "which its machine code doesn't")
        for address in sorted(in_image - set(compiled_targets)):
            problems.append(f"{self.plain[node]}'s machine code calls "
                            f"{self.symbol_name(address)}, which g++'s call graph doesn't have")
        if (INDIRECT in copy.calls) != bool(fc.indirect):
            problems.append(
                f"{self.plain[node]}: g++'s call graph says it makes "
                f"{'an' if INDIRECT in copy.calls else 'no'} indirect call, its machine code "
                f"{'has ' + str(len(fc.indirect)) if fc.indirect else 'has none'}")
        return problems

    def _depth(self, node):
        """(deepest stack from node's entry, the path) with every frame on it."""
        if node in self.memo:
            return self.memo[node]
        if node in self.visiting:
            cycle = self.visiting[self.visiting.index(node):] + [node]
            raise CheckError("recursion: " + " -> ".join(self.name(n) for n in cycle))
        self.visiting.append(node)
        best = (0, [])
        for child in self.edges.get(node, []):
            result = self._depth(child)
            if result[0] > best[0] or not best[1]:
                best = result
        self.visiting.pop()
        frame = self._frame(node)
        self.memo[node] = (frame + best[0], [(node, frame)] + best[1])
        return self.memo[node]

    def _entry_result(self, entry, callee, nested_on):
        address = self.code.image.symbol(callee).value
        depth, path = self._depth(address)
        own = self.entries[entry].bytes
        total = own + depth
        label = f"{entry} -> {callee}"
        if nested_on is not None:  # on top of the deepest other path
            total += nested_on["total"]
            label += " (nested: on top of the deepest other path)"
        return {"label": label, "total": total, "own": own, "entry": entry,
                "path": [(entry, own)] + [(self.name(n), f) for n, f in path],
                "nested_on": nested_on}

    def _cross_check_gcc(self):
        """Each reached function's calls in the image = those in g++'s call graph."""
        for node, copy in self.copy_of.items():
            self.errors += self._call_differences(node, copy)


def path_text(result):
    """`a (0) -> b (96) -> ...`; a nested entry after the path it lands on."""
    text = " -> ".join(f"{name} ({number(size)})" for name, size in result["path"])
    if result["nested_on"]:
        text = f"{path_text(result['nested_on'])}, then {text}"
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firmware", required=True, help="a firmware build directory")
    parser.add_argument("--compiler", required=True, choices=("gcc", "clang"))
    parser.add_argument("--scenario", action="append",
                        help="scenario to check (repeatable); default: every image of the build")
    parser.add_argument("--entries", default=ENTRIES)
    parser.add_argument("--indirect-calls", default=INDIRECT_CALLS)
    parser.add_argument("--objdump", default="riscv64-linux-gnu-objdump")
    parser.add_argument("--cxxfilt", default="riscv64-linux-gnu-c++filt")
    parser.add_argument("--symbolizer", default="llvm-symbolizer")
    parser.add_argument("--verbose", action="store_true",
                        help="every entry's worst path in every image")
    args = parser.parse_args()

    def shown(path):
        path = os.path.abspath(path)
        return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path

    class Files:
        entries = shown(args.entries)
        indirect = shown(args.indirect_calls)

    try:
        entries = read_asm_entries(args.entries)
        indirect = read_indirect_calls(args.indirect_calls)
    except DeclarationError as error:
        print(f"FAIL: {error}")
        return 1

    firmware = os.path.abspath(args.firmware)
    if args.scenario:
        images = [os.path.join(firmware, "scenarios", s, f"tessera-{s}.elf") for s in args.scenario]
    else:
        images = sorted(glob.glob(os.path.join(firmware, "scenarios", "*", "tessera-*.elf")))
    if not images:
        print(f"FAIL: no hypervisor images under {firmware}/scenarios")
        return 1
    print(f"stack usage of the hypervisor ({args.compiler}), {len(images)} image(s) in "
          f"{firmware}/scenarios; frames in bytes")
    core = os.path.join(firmware, "core", "CMakeFiles")
    failed, used, checks = False, set(), []
    for image in images:
        scenario = os.path.basename(os.path.dirname(image))
        info_dirs = [os.path.join(core, "tessera_core.dir"), os.path.join(core, "tessera_libc.dir"),
                     os.path.join(firmware, "CMakeFiles", f"tessera-{scenario}.dir")]
        try:
            check = ImageCheck(image, args.compiler, info_dirs, entries, indirect, args, Files).run()
        except (CheckError, CodeError, KeyError, ValueError) as error:
            print(f"scenario {scenario}: FAIL: {error}")
            failed = True
            continue
        check.scenario = scenario
        checks.append(check)
        used |= check.used_indirect
        worst = max(check.results, key=lambda r: r["total"])
        print(f"scenario {scenario}: worst case {number(worst['total'])} B of "
              f"{number(check.budget)} B ({BUDGET_SYMBOL}), margin "
              f"{number(check.budget - worst['total'])} B, entry {worst['label'].split(' (')[0]}")
        for error in check.errors:
            print(f"  FAIL: {error}")
            failed = True
        for result in check.results:
            if result["total"] > check.budget:
                print(f"  FAIL: {result['label']} needs {number(result['total'])} B, more than "
                      f"the {number(check.budget)} B stack")
                failed = True
            if args.verbose:
                print(f"  {result['label']}: {number(result['total'])} B\n      {path_text(result)}")
    for caller, calls in indirect.items():
        for call in calls:
            if checks and (caller, call.target) not in used:
                print(f"FAIL: {Files.indirect}:{call.line}: no indirect call written in {caller} "
                      f"needed '{caller} -> {call.target}' in any image checked: remove the line")
                failed = True
    if not checks:
        return 1
    # Each entry at its worst over every image, with its path.
    print("worst path of each entry (over every image):")
    overall = None
    for index, result in enumerate(checks[0].results):
        deepest = max(((c, c.results[index]) for c in checks),
                      key=lambda cr: cr[1]["total"] - cr[0].budget)
        check, result = deepest
        margin = check.budget - result["total"]
        print(f"  {result['label']}: {number(result['total'])} B, margin {number(margin)} B "
              f"(scenario {check.scenario})\n      {path_text(result)}")
        if overall is None or margin < overall[2]:
            overall = (check, result, margin)
    check, result, margin = overall
    print(f"{'FAIL' if failed or margin < 0 else 'PASS'}: worst case {number(result['total'])} B "
          f"of {number(check.budget)} B, margin {number(margin)} B (scenario {check.scenario}, "
          f"entry {path_text(result)})")
    return 1 if failed or margin < 0 else 0


if __name__ == "__main__":
    sys.exit(main())
