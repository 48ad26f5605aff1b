#!/usr/bin/python3
"""Integration test: Debian's U-Boot (S-mode) in a partition drives a
passthrough virtio-blk disk, through the hypervisor's emulated 16550.

It writes a small raw disk with an MBR partition table, boots the `uboot`
scenario (configs/uboot.scenario.dts) with the disk on QEMU's last
virtio-mmio slot, stops U-Boot's autoboot with a key, runs `version`,
`virtio scan`, `virtio info` and `part list virtio 0` and checks their
answers, then `reset` (SBI SRST reboot: the hypervisor restarts the
partition and U-Boot boots again), looks at the disk once more and ends
with `poweroff` (SBI SRST shutdown: QEMU must exit with status 0).

How it talks to U-Boot:
 - Input is typed one character at a time with a small delay: the guest
   polls its virtual 16550, which takes one byte from the physical console
   per poll.
 - The hypervisor writes a partition's output line by line, so text without
   a newline (U-Boot's autoboot countdown, its `=> ` prompt) only shows up
   once the line ends. So the key that stops autoboot is sent as soon as
   U-Boot's last line before the countdown ("Net: ...") is out; the
   countdown line then appears when the key ends it. And U-Boot's prompt is
   seen as the start of the line that echoes the next command; every
   command is followed by `; echo <sync>` so that the test knows when
   U-Boot is back at its prompt before it types again (U-Boot discards keys
   typed while a command runs).

Every wait has a timeout. On failure it prints the step, the reason and the
last console lines, and exits with status 1.
"""
import argparse
import collections
import os
import selectors
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu import qemu_command  # noqa: E402

TAIL_LINES = 40
PARTITION = "uboot"
PREFIX = f"[{PARTITION}] "
KEY_DELAY = 0.02  # seconds between typed characters

# The test disk: 4 MiB, an MBR with one Linux partition.
DISK_SIZE = 4 * 1024 * 1024
SECTOR = 512
DISK_SIGNATURE = 0x7E55E7A0
PART_START = 2048
PART_SECTORS = DISK_SIZE // SECTOR - PART_START
PART_TYPE = 0x83

# Hypervisor lines that mean the partition or the hypervisor broke.
FATAL = ("PANIC", f"[tessera] partition {PARTITION} failed", "[tessera] all partitions stopped: FAIL")


def write_disk(path):
    """A raw disk image with an MBR partition table (one primary partition)."""
    mbr = bytearray(SECTOR)
    struct.pack_into("<I", mbr, 440, DISK_SIGNATURE)
    # status, CHS first (unused: LBA only), type, CHS last, LBA first, sectors
    struct.pack_into("<B3sB3sII", mbr, 446, 0x00, b"\xfe\xff\xff", PART_TYPE,
                     b"\xfe\xff\xff", PART_START, PART_SECTORS)
    mbr[510:512] = b"\x55\xaa"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as disk:
        disk.write(mbr)
        disk.truncate(DISK_SIZE)


def normalize(text):
    return " ".join(text.split())


class StepFailed(Exception):
    pass


class Console:
    """QEMU's console: whole lines in, characters out."""

    def __init__(self, process):
        self.process = process
        self.selector = selectors.DefaultSelector()
        self.selector.register(process.stdout, selectors.EVENT_READ)
        self.partial = b""
        self.lines = []  # every line so far
        self.cursor = 0  # the next line a wait looks at
        self.tail = collections.deque(maxlen=TAIL_LINES)
        self.eof = False

    def _read(self, timeout):
        if self.eof or not self.selector.select(timeout=timeout):
            return
        chunk = os.read(self.process.stdout.fileno(), 65536)
        if not chunk:
            self.eof = True
            if self.partial:
                self._take(self.partial)
                self.partial = b""
            return
        self.partial += chunk
        *complete, self.partial = self.partial.split(b"\n")
        for raw in complete:
            self._take(raw)

    def _take(self, raw):
        line = raw.decode("utf-8", "replace").rstrip("\r")
        self.lines.append(line)
        self.tail.append(line)

    def next_line(self, deadline, what):
        """The next line not looked at yet; StepFailed after the deadline."""
        while self.cursor >= len(self.lines):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StepFailed(f"timed out waiting for {what}")
            if self.eof:
                status = self.process.wait()
                raise StepFailed(f"QEMU exited (status {status}) while waiting for {what}")
            self._read(min(remaining, 0.2))
        line = self.lines[self.cursor]
        self.cursor += 1
        for text in FATAL:
            if text in line:
                raise StepFailed(f"while waiting for {what}: {line!r}")
        return line

    def type(self, text):
        for char in text:
            self.process.stdin.write(char.encode())
            self.process.stdin.flush()
            time.sleep(KEY_DELAY)


def guest_text(line):
    """What the partition wrote on this line, None for other lines."""
    return line[len(PREFIX):] if line.startswith(PREFIX) else None


class Session:
    def __init__(self, console, step_timeout):
        self.console = console
        self.step_timeout = step_timeout
        self.step = "start"
        self.syncs = 0

    def begin(self, step):
        self.step = step
        print(f"step: {step}", flush=True)

    def wait_for(self, what, match):
        """Skips lines until one matches; returns it."""
        deadline = time.monotonic() + self.step_timeout
        while True:
            line = self.console.next_line(deadline, what)
            if match(line):
                return line

    def wait_guest(self, what, starts_with):
        return self.wait_for(what, lambda line: (guest_text(line) or "").startswith(starts_with))

    def wait_exact(self, line_text):
        return self.wait_for(repr(line_text), lambda line: line == line_text)

    def next_guest_line(self, what):
        """The partition's next line; any other partition output first is a failure."""
        deadline = time.monotonic() + self.step_timeout
        while True:
            line = self.console.next_line(deadline, what)
            text = guest_text(line)
            if text is not None:
                return text

    def boot_to_prompt(self):
        """Waits for U-Boot's banner, stops autoboot with a key."""
        self.begin("U-Boot banner")
        banner = self.wait_guest("U-Boot's banner 'U-Boot 20...'", "U-Boot 20")
        print(f"  {banner}")
        self.begin("U-Boot ready for input (its 'Net:' line)")
        self.wait_guest("U-Boot's 'Net:' line", "Net:")
        self.console.type(" ")
        self.begin("autoboot prompt, stopped by a key")
        line = self.wait_guest("'Hit any key to stop autoboot'", "Hit any key to stop autoboot")
        print(f"  {line!r}")

    def command(self, command, expect=(), what=None):
        """Runs a command at the prompt; checks that its output has every
        `expect` text, in order (whitespace runs compare equal)."""
        self.begin(what or f"command '{command}'")
        self.syncs += 1
        sync = f"tessera-sync-{self.syncs}"
        typed = f"{command}; echo {sync}"
        self.console.type(typed + "\r")
        # The prompt, then the echo of what was typed; nothing before it: the
        # previous command (or the autoboot countdown) ended at the prompt.
        echo = self.next_guest_line(f"the prompt and the echo of {typed!r}")
        if echo != f"=> {typed}":
            raise StepFailed(f"expected U-Boot's prompt and the echo '=> {typed}', got {echo!r} "
                             "(U-Boot was not at its prompt)")
        output = []
        while (text := self.next_guest_line(f"the end of '{command}' ({sync})")) != sync:
            output.append(text)
        for line in output:
            print(f"  {line}")
        pending = list(expect)
        for line in output:
            while pending and normalize(pending[0]) in normalize(line):
                pending.pop(0)
        if pending:
            raise StepFailed(f"'{command}' did not answer {pending[0]!r}")

    def final_command(self, command):
        """Types a command that does not come back to the prompt."""
        self.begin(f"command '{command}'")
        self.console.type(command + "\r")
        echo = self.next_guest_line(f"the prompt and the echo of {command!r}")
        if echo != f"=> {command}":
            raise StepFailed(f"expected U-Boot's prompt and the echo '=> {command}', got {echo!r}")


def look_at_disk(session):
    session.command("virtio scan")
    session.command("virtio info", [
        "Device 0: QEMU VirtIO Block Device",
        "Type: Hard Disk",
        f"Capacity: 4.0 MB = 0.0 GB ({DISK_SIZE // SECTOR} x {SECTOR})",
    ])


def run(session, process, step_timeout):
    session.boot_to_prompt()
    session.command("version", ["U-Boot 20"])
    look_at_disk(session)
    # Reads the MBR from the disk: the device's DMA into U-Boot's buffers.
    session.command("part list virtio 0", [
        "Partition Map for VirtIO device 0",
        "Partition Type: DOS",
        f"1 {PART_START} {PART_SECTORS} {DISK_SIGNATURE:08x}-01 {PART_TYPE:x}",
    ])

    session.final_command("reset")
    session.begin("SBI system reset (reboot) restarts the partition")
    session.wait_exact(f"[tessera] partition {PARTITION} restarting: SBI system reset (reboot)")
    session.boot_to_prompt()
    look_at_disk(session)

    session.final_command("poweroff")
    session.begin("SBI system reset (shutdown) stops the partition and QEMU")
    session.wait_exact(f"[tessera] partition {PARTITION} stopped: SBI system reset (shutdown)")
    session.wait_exact("[tessera] all partitions stopped: pass")
    try:
        status = process.wait(timeout=step_timeout)
    except subprocess.TimeoutExpired:
        raise StepFailed(f"QEMU still running {step_timeout:.0f} s after the power-off") from None
    if status != 0:
        raise StepFailed(f"QEMU exited with status {status}, expected 0")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elf", required=True, help="the uboot scenario's hypervisor image")
    parser.add_argument("--disk", required=True, help="where to write the test disk image")
    parser.add_argument("--step-timeout", type=float, default=30,
                        help="seconds each step may take")
    parser.add_argument("--smp", type=int, default=4)
    args = parser.parse_args()

    if not os.path.exists(args.elf):
        print(f"FAIL: image {args.elf} does not exist (was the firmware built?)")
        return 1
    write_disk(args.disk)
    command = qemu_command(args.elf, smp=args.smp, extra=[
        "-drive", f"file={os.path.abspath(args.disk)},if=none,format=raw,id=hd0",
        "-device", "virtio-blk-device,drive=hd0",
    ])
    print("running:", " ".join(command), flush=True)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    console = Console(process)
    session = Session(console, args.step_timeout)
    try:
        run(session, process, args.step_timeout)
    except (StepFailed, BrokenPipeError) as error:
        print(f"FAIL: step '{session.step}': {error}")
        # Whatever QEMU still had to say.
        deadline = time.monotonic() + 1
        while not console.eof and time.monotonic() < deadline:
            console._read(0.1)
        print(f"--- last {len(console.tail)} console lines ---")
        for line in console.tail:
            print(line)
        return 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    print(f"PASS: U-Boot drove the passthrough disk, rebooted and powered off "
          f"({session.syncs} commands checked), QEMU exit status 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
