#!/usr/bin/python3
"""Checks an rtos-demo partition's heartbeat in a Tessera console log.

rtos-demo (guests/rtos-demo) prints `rtos-demo: heartbeat K` after every
report, K going up by one each time; the hypervisor prefixes each line with
the partition's name: `[heartbeat] rtos-demo: heartbeat 7`. This checks that
the partition's counters read 1, 2, 3, ... with no gap, no repeat and no
restart (its banner appears once), and, for each (TEXT, MIN) pair, that at
least MIN lines containing TEXT appear between its first and its last
heartbeat, e.g. another partition's restarts.

Used by boot_test.py (--heartbeat, --during-heartbeats); on its own it reads
a saved log:

  heartbeat_check.py --partition heartbeat --during 3 "restarting" console.log
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import strip_colour  # noqa: E402

HEARTBEAT = re.compile(r"rtos-demo: heartbeat (\d+)$")
BANNER = "rtos-demo: period "


class HeartbeatCheck:
    """Fed console lines one by one; problems() says what went wrong."""

    def __init__(self, partition, during=()):
        self.prefix = f"[{partition}] "
        self.partition = partition
        self.during = [(text, minimum) for text, minimum in during]
        self.last = 0  # the last counter seen
        self.banners = 0
        self.errors = []
        # Lines containing each `during` text since the first heartbeat, and
        # how many of those came before the latest heartbeat.
        self.since_first = [0] * len(self.during)
        self.before_last = [0] * len(self.during)

    def feed(self, line):
        if self.last > 0:
            for index, (text, _) in enumerate(self.during):
                if text in line:
                    self.since_first[index] += 1
        if not line.startswith(self.prefix):
            return
        text = line[len(self.prefix):]
        if text.startswith(BANNER):
            self.banners += 1
            if self.banners == 2:
                self.errors.append(f"partition {self.partition} started again "
                                   f"after heartbeat {self.last}: {line!r}")
            return
        match = HEARTBEAT.search(text)
        if not match:
            return
        counter = int(match.group(1))
        if counter != self.last + 1 and len(self.errors) < 10:
            what = "restarted" if counter <= self.last else "skipped"
            self.errors.append(f"partition {self.partition}'s heartbeat {what}: "
                               f"{counter} after {self.last or 'none'}")
        self.last = counter
        self.before_last = list(self.since_first)

    def problems(self):
        problems = list(self.errors)
        if self.last == 0:
            problems.append(f"no heartbeat from partition {self.partition}")
            return problems
        for (text, minimum), seen in zip(self.during, self.before_last):
            if seen < minimum:
                problems.append(f"{seen} line(s) with {text!r} between partition "
                                f"{self.partition}'s first and last heartbeat, "
                                f"expected at least {minimum}")
        return problems

    def summary(self):
        counts = ", ".join(f"{seen} x {text!r}" for (text, _), seen
                           in zip(self.during, self.before_last))
        return (f"heartbeat of {self.partition}: 1..{self.last} in sequence"
                + (f"; meanwhile {counts}" if counts else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partition", required=True, help="the rtos-demo partition's name")
    parser.add_argument("--during", nargs=2, action="append", default=[],
                        metavar=("MIN", "TEXT"),
                        help="at least MIN lines with TEXT between the first and last heartbeat")
    parser.add_argument("log", help="console log ('-' for standard input)")
    args = parser.parse_args()
    check = HeartbeatCheck(args.partition, [(text, int(minimum)) for minimum, text in args.during])
    with (sys.stdin if args.log == "-" else open(args.log, errors="replace")) as log:
        for line in log:
            check.feed(strip_colour(line.rstrip("\r\n")))
    problems = check.problems()
    for problem in problems:
        print("FAIL:", problem)
    if not problems:
        print("PASS:", check.summary())
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
