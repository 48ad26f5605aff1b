#!/usr/bin/python3
"""Where the instructions of each hypervisor exit go.

Boots the benchmark scenario once more with a tiny iteration count and
QEMU's per-instruction trace (`-singlestep -d exec,nochain,int`, limited with
-dfilter to the hypervisor's and the guest's code), then splits the
instruction stream into guest runs and hypervisor runs (HS-mode is told by
the HLSX bit of QEMU's translation-block flags). For every exit it knows the
cause (QEMU's interrupt log) and the guest code that was running, and it
prints, per guest function and cause, the exits, the average instructions
each took in the hypervisor and in which hypervisor functions.

    tools/bench/exit_profile.py --hypervisor tessera-bench.elf --guest bench.elf
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench  # noqa: E402

ROOT = run_bench.ROOT

TRACE = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/[0-9a-f]+\]")
TRAP = re.compile(r"riscv_cpu_do_interrupt: hart:\d+, async:(\d), cause:([0-9a-f]+), "
                  r"epc:0x([0-9a-f]+), tval:0x([0-9a-f]+), desc=(\S+)")
TB_FLAG_HLSX = 1 << 15  # QEMU 7.2 target/riscv: set only in HS-mode (H-extension loads allowed)


class Symbols:
    def __init__(self, elf, nm="riscv64-linux-gnu-nm"):
        out = subprocess.run([nm, "-n", "-C", elf], capture_output=True, text=True,
                             check=True).stdout
        self.addresses, self.names = [], []
        for line in out.splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[1] in "tTwW":
                self.addresses.append(int(parts[0], 16))
                self.names.append(parts[2])

    def name(self, address):
        at = bisect.bisect_right(self.addresses, address) - 1
        return self.names[at] if at >= 0 else hex(address)


def short(name, width=60):
    """A demangled name without its parameter list (or template arguments, if long)."""
    if name.endswith(")"):
        depth = 0
        for at in range(len(name) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(name[at], 0)
            if depth == 0:
                name = name[:at]
                break
    if len(name) > width:
        name = re.sub(r"<.*>", "<...>", name)
    return name if len(name) <= width else name[:width - 3] + "..."


def source_lines(elf, addresses, tool="riscv64-linux-gnu-addr2line"):
    """address -> 'file:line' of the innermost (inlined) function there."""
    addresses = sorted(addresses)
    out = subprocess.run([tool, "-e", elf, "-a"] + [hex(a) for a in addresses],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    lines, current = {}, None
    for line in out:
        if line.startswith("0x"):
            current = int(line, 16)
        elif current is not None and current not in lines:
            path, _, number = line.rpartition(":")
            lines[current] = f"{os.path.relpath(path, ROOT) if path.startswith('/') else path}:" \
                             f"{number.split()[0] if number else '?'}"
    return lines


def profile(log, hypervisor, hv_symbols, guest_symbols, top_lines=6, out=sys.stdout,
            trap_symbol="tessera_trap"):
    trap_entry = hv_symbols.addresses[hv_symbols.names.index(trap_symbol)]
    # exits[(guest function, cause)] = [count, instructions, Counter(hv function), Counter(pc)]
    exits = collections.defaultdict(
        lambda: [0, 0, collections.Counter(), collections.Counter()])
    in_hv = False
    seen_guest = False
    pending_trap = None   # (description, epc) of the trap that starts the next hv run
    current = None        # the exit being counted
    last_guest_pc = 0
    with open(log, errors="replace") as trace:
        for line in trace:
            match = TRACE.match(line)
            if match is None:
                trap = TRAP.search(line)
                if trap is not None:
                    asynchronous, cause, epc = trap.group(1) == "1", int(trap.group(2), 16), \
                        int(trap.group(3), 16)
                    kind = ("interrupt " if asynchronous else "") + trap.group(5)
                    pending_trap = (f"{kind} (cause {cause})", epc)
                continue
            pc, flags = int(match.group(1), 16), int(match.group(2), 16)
            hs = bool(flags & TB_FLAG_HLSX)
            # An exit starts when HS-mode code follows guest code, or when the
            # hypervisor's own sret was cut short by an interrupt pending for
            # HS-mode (the trap is logged and the next instruction is stvec's).
            new_exit = hs and (not in_hv or (pending_trap is not None and pc == trap_entry))
            if hs and in_hv and pc != trap_entry:
                pending_trap = None  # a trap taken inside the hypervisor (to firmware)
            if new_exit:
                if not seen_guest:
                    key = ("(hypervisor boot)", "until the guest's first instruction")
                else:
                    description, epc = pending_trap or ("(unlogged)", last_guest_pc)
                    key = (short(guest_symbols.name(epc), 30), description)
                current = exits[key]
                current[0] += 1
                pending_trap = None
            if hs:
                current[1] += 1
                current[2][short(hv_symbols.name(pc))] += 1
                current[3][pc] += 1
            else:
                last_guest_pc = pc
                seen_guest = True
            in_hv = hs
    hot = collections.Counter()
    for _, _, _, pcs in exits.values():
        hot.update(pcs)
    lines = source_lines(hypervisor, hot.keys())
    for (where, description), (count, instructions, functions, pcs) in sorted(
            exits.items(), key=lambda item: -item[1][1]):
        out.write(f"{where}: {description}: {count} exits, "
                  f"{instructions / count:.1f} hypervisor instructions each\n")
        for function, n in functions.most_common():
            out.write(f"    {n / count:8.1f}  {function}\n")
        by_line = collections.Counter()
        for pc, n in pcs.items():
            by_line[lines.get(pc, hex(pc))] += n
        out.write("    hottest source lines:\n")
        for line, n in by_line.most_common(top_lines):
            out.write(f"    {n / count:8.1f}  {line}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hypervisor", required=True, help="tessera-<scenario>.elf")
    parser.add_argument("--guest", required=True, help="the guest ELF (bench.elf)")
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--log", help="keep QEMU's trace here (default: a temporary file)")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    hv_symbols, guest_symbols = Symbols(args.hypervisor), Symbols(args.guest)
    text = hv_symbols.addresses + guest_symbols.addresses
    low, high = min(text), max(text) + 0x10000
    with tempfile.TemporaryDirectory() as scratch:
        log = args.log or os.path.join(scratch, "trace.log")
        extra = ["-singlestep", "-d", "exec,nochain,int", "-dfilter", f"{low:#x}..{high:#x}",
                 "-D", log]
        run = run_bench.boot(run_bench.qemu_command(args.hypervisor, extra), args.iterations,
                             args.timeout)
        if run.error:
            sys.exit(f"exit_profile: {run.error}")
        profile(log, args.hypervisor, hv_symbols, guest_symbols)


if __name__ == "__main__":
    main()
