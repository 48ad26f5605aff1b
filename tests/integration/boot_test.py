#!/usr/bin/python3
"""Integration test: boot an image under a timeout and wait for exact markers.

Each --expect marker (exact text) or --expect-re marker (a regular
expression) must appear in the console output, in the given order; no
--forbid text may appear, and no --forbid-after TEXT on the lines after the
first one that contains its MARKER; QEMU must exit with --expect-exit. On
failure the reason and the last 40 console lines are printed.

For partitions that don't end by themselves:
  --input-after MARKER TEXT  types TEXT on QEMU's console once a line
                             contains MARKER (the focused partition gets it);
  --heartbeat NAME           rtos-demo partition NAME's heartbeat counters
                             must read 1, 2, 3, ... (heartbeat_check.py), and
  --during-heartbeats MIN TEXT  at least MIN lines with TEXT must come between
                             its first and last heartbeat;
  --stop-after-markers       ends QEMU once every marker has been seen
                             (its exit status is then not checked).
--log FILE keeps the whole console output (colours stripped) in FILE.
On a timeout, what every hart was doing (QEMU's monitor, qemu_state.py) is
printed before the console lines.
"""
import argparse
import codecs
import collections
import os
import re
import selectors
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heartbeat_check import HeartbeatCheck  # noqa: E402
from qemu import qemu_command, strip_colour  # noqa: E402
from qemu_state import MonitorSocket, describe  # noqa: E402

TAIL_LINES = 40
KEY_DELAY = 0.02  # seconds between typed characters: the guest polls its UART


class Marker:
    """An --expect (exact text) or --expect-re (regular expression) marker."""

    def __init__(self, text, regex):
        self.text = text
        self.pattern = re.compile(text) if regex else None

    def find(self, line, position):
        """(start, end) of the marker in line at or after position, or None."""
        if self.pattern is None:
            start = line.find(self.text, position)
            return None if start < 0 else (start, start + len(self.text))
        match = self.pattern.search(line, position)
        return None if match is None else match.span()

    def __repr__(self):
        return repr(self.text) if self.pattern is None else f"/{self.text}/"


class MarkerAction(argparse.Action):
    """--expect and --expect-re append to one ordered list."""

    def __call__(self, parser, namespace, value, option_string=None):
        markers = getattr(namespace, self.dest) or []
        markers.append(Marker(value, regex=option_string == "--expect-re"))
        setattr(namespace, self.dest, markers)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--elf", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--expect", "--expect-re", dest="markers", action=MarkerAction,
                        default=[])
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--forbid-after", nargs=2, action="append", default=[],
                        metavar=("MARKER", "TEXT"))
    parser.add_argument("--input-after", nargs=2, action="append", default=[],
                        metavar=("MARKER", "TEXT"))
    parser.add_argument("--heartbeat", metavar="PARTITION")
    parser.add_argument("--during-heartbeats", nargs=2, action="append", default=[],
                        metavar=("MIN", "TEXT"))
    parser.add_argument("--stop-after-markers", action="store_true")
    parser.add_argument("--expect-exit", type=int, default=0)
    parser.add_argument("--smp", type=int, default=4)
    parser.add_argument("--qemu-arg", action="append", default=[])
    parser.add_argument("--log", metavar="FILE", help="write the whole console output here")
    args = parser.parse_args()

    if not os.path.exists(args.elf):
        print(f"FAIL: image {args.elf} does not exist (was the firmware built?)")
        return 1

    if args.during_heartbeats and not args.heartbeat:
        parser.error("--during-heartbeats needs --heartbeat")
    heartbeat = None
    if args.heartbeat:
        heartbeat = HeartbeatCheck(args.heartbeat, [(text, int(minimum))
                                                    for minimum, text in args.during_heartbeats])

    monitor = MonitorSocket()
    command = qemu_command(args.elf, smp=args.smp, extra=[*args.qemu_arg, *monitor.qemu_args()])
    print("running:", " ".join(command), flush=True)
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE if args.input_after else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    tail = collections.deque(maxlen=TAIL_LINES)
    pending = list(args.markers)
    # TEXT may hold Python escapes: "\\x14" is Ctrl-T, the console's focus key.
    inputs = [[marker, codecs.decode(text, "unicode_escape")] for marker, text in args.input_after]
    forbidden = list(args.forbid)
    forbidden_later = list(args.forbid_after)  # [marker, text] whose marker was not seen yet
    problems = []
    deadline = time.monotonic() + args.timeout
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    buffer = b""
    log = open(args.log, "w", encoding="utf-8") if args.log else None

    def take_line(raw):
        line = strip_colour(raw.decode("utf-8", "replace").rstrip("\r"))
        tail.append(line)
        if log is not None:
            log.write(line + "\n")
        for text in forbidden:
            if text in line:
                problems.append(f"forbidden text {text!r} in line {line!r}")
        for marker, text in [entry for entry in forbidden_later if entry[0] in line]:
            forbidden_later.remove([marker, text])
            forbidden.append(text)  # from the next line on
        if heartbeat is not None:
            heartbeat.feed(line)
        position = 0  # several markers may follow each other on one line
        while pending and (span := pending[0].find(line, position)) is not None:
            pending.pop(0)
            position = span[1]
        for marker, text in [entry for entry in inputs if entry[0] in line]:
            inputs.remove([marker, text])
            print(f"typing {text!r} after {marker!r}", flush=True)
            try:
                for char in text:
                    process.stdin.write(char.encode())
                    process.stdin.flush()
                    time.sleep(KEY_DELAY)
            except BrokenPipeError:
                problems.append(f"QEMU's console closed before {text!r} was typed")

    timed_out = False
    stopped = False
    while True:
        if args.stop_after_markers and not pending:
            process.kill()
            stopped = True
            break
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
    if log is not None:
        log.close()

    hart_state = []
    if timed_out:
        hart_state = describe(monitor, args.elf)
        process.kill()
        problems.append(f"timed out after {args.timeout:.0f} s")
    exit_code = process.wait()
    monitor.close()
    if pending:
        problems.append(f"marker not seen: {pending[0]!r}" +
                        (f" (and {len(pending) - 1} after it)" if len(pending) > 1 else ""))
    for marker, text in forbidden_later:
        problems.append(f"no line with {marker!r}, after which {text!r} is forbidden")
    if inputs:
        problems.append(f"never typed {inputs[0][1]!r}: no line with {inputs[0][0]!r}")
    if heartbeat is not None:
        problems.extend(heartbeat.problems())
    if not timed_out and not stopped and exit_code != args.expect_exit:
        problems.append(f"QEMU exited with {exit_code}, expected {args.expect_exit}")

    if problems:
        for problem in problems:
            print("FAIL:", problem)
        if hart_state:
            print("--- the harts when it timed out ---")
            for line in hart_state:
                print(line)
        print(f"--- last {len(tail)} console lines ---")
        for line in tail:
            print(line)
        return 1
    if heartbeat is not None:
        print(f"PASS: {heartbeat.summary()}")
    if stopped:
        print(f"PASS: {len(args.markers)} markers seen, QEMU stopped after the last one")
    else:
        print(f"PASS: {len(args.markers)} markers seen, exit code {exit_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
