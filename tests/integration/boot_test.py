#!/usr/bin/python3
"""Integration test: boot an image under a timeout and wait for exact markers.

Each --expect marker must appear in the console output, in the given order;
no --forbid text may appear; QEMU must exit with --expect-exit. On failure
the reason and the last 40 console lines are printed.
"""
import argparse
import collections
import os
import selectors
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import qemu_command, strip_colour  # noqa: E402

TAIL_LINES = 40


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--elf", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--expect-exit", type=int, default=0)
    parser.add_argument("--smp", type=int, default=4)
    parser.add_argument("--qemu-arg", action="append", default=[])
    args = parser.parse_args()

    if not os.path.exists(args.elf):
        print(f"FAIL: image {args.elf} does not exist (was the firmware built?)")
        return 1

    command = qemu_command(args.elf, smp=args.smp, extra=args.qemu_arg)
    print("running:", " ".join(command), flush=True)
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    tail = collections.deque(maxlen=TAIL_LINES)
    pending = list(args.expect)
    problems = []
    deadline = time.monotonic() + args.timeout
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    buffer = b""

    def take_line(raw):
        line = strip_colour(raw.decode("utf-8", "replace").rstrip("\r"))
        tail.append(line)
        for text in args.forbid:
            if text in line:
                problems.append(f"forbidden text {text!r} in line {line!r}")
        position = 0  # several markers may follow each other on one line
        while pending and (found := line.find(pending[0], position)) >= 0:
            position = found + len(pending.pop(0))

    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        if not selector.select(timeout=min(remaining, 0.5)):
            if process.poll() is not None:
                break
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            take_line(raw)
    if buffer:
        take_line(buffer)

    if timed_out:
        process.kill()
        problems.append(f"timed out after {args.timeout:.0f} s")
    exit_code = process.wait()
    if pending:
        problems.append(f"marker not seen: {pending[0]!r}" +
                        (f" (and {len(pending) - 1} after it)" if len(pending) > 1 else ""))
    if not timed_out and exit_code != args.expect_exit:
        problems.append(f"QEMU exited with {exit_code}, expected {args.expect_exit}")

    if problems:
        for problem in problems:
            print("FAIL:", problem)
        print(f"--- last {len(tail)} console lines ---")
        for line in tail:
            print(line)
        return 1
    print(f"PASS: {len(args.expect)} markers seen, exit code {exit_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
