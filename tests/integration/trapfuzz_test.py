#!/usr/bin/python3
"""Integration test: the trap fuzzer beside a heartbeat partition.

Boots a scenario whose fuzzer partition (guests/trapfuzz) runs the seeds and
count its guest DT's bootargs give (trapfuzz.seed=S1,S2,... and
trapfuzz.count=C, read from --dts) and whose partition NAME (--heartbeat)
is rtos-demo running for ever. Through boot_test.py it requires, in order:
each seed's banner and `...; alive` line (with a partition restart between
seeds), the totals with 0 failed checks, the fuzzer's SRST shutdown, and a
heartbeat after it; the heartbeat counting 1, 2, 3, ... without a gap or a
restart, with every alive line and the shutdown between its first and last
heartbeat; and no FAIL, no hypervisor PANIC, no unhandled or double trap,
and the heartbeat partition never restarting, stopping or failing. Then it
prints

    fuzzer: M instructions over K seeds, hypervisor alive

with the other figures the alive lines give.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ALIVE = re.compile(r"trapfuzz: seed (\d+): (\d+) instructions, (\d+) csr ops, (\d+) sbi calls, "
                   r"(\d+) traps; alive")


def bootargs_options(dts_path):
    """(seeds, count) from the trapfuzz.seed and trapfuzz.count bootargs in a guest DT."""
    with open(dts_path, encoding="utf-8") as file:
        text = file.read()
    match = re.search(r'bootargs\s*=\s*"([^"]*)"', text)
    if not match:
        raise SystemExit(f"{dts_path}: no bootargs")
    options = dict(word.split("=", 1) for word in match.group(1).split() if "=" in word)
    try:
        seeds = [int(seed, 0) for seed in options["trapfuzz.seed"].split(",")]
        count = int(options["trapfuzz.count"], 0)
    except (KeyError, ValueError):
        raise SystemExit(f"{dts_path}: bootargs need trapfuzz.seed=S[,S...] and trapfuzz.count=C")
    return seeds, count


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elf", required=True, help="the scenario's hypervisor image")
    parser.add_argument("--dts", required=True, help="the fuzzer partition's guest DT")
    parser.add_argument("--partition", default="trapfuzz", help="the fuzzer partition's name")
    parser.add_argument("--heartbeat", default="heartbeat", help="the heartbeat partition's name")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    seeds, count = bootargs_options(args.dts)
    fuzz = f"[{args.partition}] trapfuzz:"
    markers = []
    for index, seed in enumerate(seeds):
        if index > 0:
            markers += ["--expect", f"[tessera] partition {args.partition} restarting: "
                                    "SBI system reset (reboot)"]
        markers += ["--expect", f"{fuzz} seed {seed}, count {count}",
                    "--expect-re", re.escape(f"{fuzz} seed {seed}: ") + r"\d+ instructions, "
                                   r"\d+ csr ops, \d+ sbi calls, \d+ traps; alive"]
    markers += ["--expect-re", re.escape(f"{fuzz} {len(seeds)} seed(s): ") +
                r"\d+ instructions, \d+ csr ops, \d+ sbi calls, \d+ traps, 0 failed checks",
                "--expect", f"[tessera] partition {args.partition} stopped: SBI system reset (shutdown)",
                "--expect-re", re.escape(f"[{args.heartbeat}] rtos-demo: heartbeat ") + r"\d+"]

    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "console.log")
        command = [sys.executable, os.path.join(HERE, "boot_test.py"), "--elf", args.elf,
                   "--timeout", str(args.timeout), "--stop-after-markers", "--log", log,
                   "--heartbeat", args.heartbeat,
                   "--during-heartbeats", str(len(seeds)), "; alive",
                   "--during-heartbeats", "1", f"[tessera] partition {args.partition} stopped",
                   "--forbid", "FAIL", "--forbid", "PANIC", "--forbid", "unhandled trap",
                   "--forbid", "double trap",
                   *[option for what in ("restarting", "stopped", "failed")
                     for option in ("--forbid", f"[tessera] partition {args.heartbeat} {what}")],
                   *markers]
        status = subprocess.run(command, check=False).returncode
        if status != 0:
            return status
        with open(log, encoding="utf-8", errors="replace") as file:
            alive = [match.groups() for match in map(ALIVE.search, file) if match]

    if [int(seed) for seed, *_ in alive] != seeds:
        print(f"FAIL: alive lines for seeds {[int(seed) for seed, *_ in alive]}, expected {seeds}")
        return 1
    totals = [sum(int(line[field]) for line in alive) for field in range(1, 5)]
    print(f"fuzzer: {totals[0]} instructions over {len(seeds)} seeds, hypervisor alive "
          f"({totals[1]} csr ops, {totals[2]} sbi calls, {totals[3]} traps, {count} operations "
          f"per seed, seeds {','.join(map(str, seeds))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
