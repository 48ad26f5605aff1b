"""What every hart was doing when a boot test timed out.

A boot test's QEMU gets a monitor socket (MonitorSocket.qemu_args()); on a
timeout the harness asks it, before killing QEMU, twice a second apart, for
`info registers -a`. The summary has one line per hart and sample: V (in a
guest or not), pc (with the hypervisor's symbol when it is in the
hypervisor's image; the second sample says whether it moved), the
interrupt CSRs and the last trap. A hang that comes once in a hundred boots
is then diagnosed from the one CI log that has it.
"""
import bisect
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

PROMPT = b"(qemu) "
SUMMARY_FIELDS = ("pc", "mip", "mie", "hstatus", "sstatus", "scause", "sepc", "vscause",
                  "vsepc", "stval")


class MonitorSocket:
    """A QEMU human monitor on a Unix socket in a private directory."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="tessera-monitor-")
        self.path = os.path.join(self.directory, "monitor.sock")

    def qemu_args(self):
        return ["-monitor", f"unix:{self.path},server,nowait"]

    def query(self, commands, timeout=10.0):
        """The monitor's answer to each command, in order ('' if it did not answer)."""
        answers = []
        try:
            with socket.socket(socket.AF_UNIX) as connection:
                connection.settimeout(timeout)
                connection.connect(self.path)
                _read_until_prompt(connection)  # the banner
                for command in commands:
                    connection.sendall(command.encode() + b"\n")
                    answers.append(_read_until_prompt(connection).decode(errors="replace"))
        except OSError as error:
            answers.append(f"(monitor: {error})")
        return answers

    def close(self):
        shutil.rmtree(self.directory, ignore_errors=True)


def _read_until_prompt(connection):
    data = b""
    while not data.endswith(PROMPT):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data[:-len(PROMPT)] if data.endswith(PROMPT) else data


def parse_registers(dump):
    """{hart: {register: value}} from `info registers -a` (QEMU 7.2's layout)."""
    harts = {}
    current = None
    for line in dump.splitlines():
        header = re.match(r"\s*CPU#(\d+)", line)
        if header:
            current = harts.setdefault(int(header.group(1)), {})
            continue
        if current is None:
            continue
        virt = re.match(r"\s*V\s*=\s*(\d)", line)
        if virt:
            current["V"] = virt.group(1)
            continue
        for name, value in re.findall(r"([a-z][a-z0-9/]*)\s+([0-9a-f]{16})\b", line):
            current.setdefault(name.split("/")[-1], value)
    return harts


class Symbols:
    """The hypervisor image's function symbols, for naming a pc."""

    def __init__(self, elf):
        self.addresses, self.names = [], []
        tool = shutil.which("riscv64-linux-gnu-nm") or shutil.which("llvm-nm")
        if tool is None or not os.path.exists(elf):
            return
        listing = subprocess.run([tool, "-C", "--defined-only", "-n", elf],
                                 capture_output=True, text=True, check=False).stdout
        for line in listing.splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[1] in "tTwW":
                self.addresses.append(int(parts[0], 16))
                self.names.append(parts[2])

    def name(self, address):
        index = bisect.bisect_right(self.addresses, address) - 1
        if index < 0 or address - self.addresses[index] > 0x10000:
            return None
        return f"{self.names[index]}+{address - self.addresses[index]:#x}"


def describe(monitor, elf, samples=2, interval=1.0):
    """Lines describing every hart, `samples` times `interval` seconds apart."""
    symbols = Symbols(elf)
    lines = []
    previous = {}
    for sample in range(samples):
        if sample:
            time.sleep(interval)
        (registers,) = monitor.query(["info registers -a"])
        harts = parse_registers(registers)
        if not harts:
            lines.append(f"sample {sample + 1}: no registers from the monitor: "
                         f"{registers.strip()[:200]!r}")
            continue
        for hart, regs in sorted(harts.items()):
            fields = " ".join(f"{name}={regs[name]}" for name in SUMMARY_FIELDS if name in regs)
            line = f"sample {sample + 1} hart {hart}: V={regs.get('V', '?')} {fields}"
            if regs.get("V") != "1" and "pc" in regs:
                symbol = symbols.name(int(regs["pc"], 16))
                line += f" [{symbol}]" if symbol else " [outside the hypervisor]"
            if hart in previous:
                line += " (pc unchanged)" if previous[hart] == regs.get("pc") else " (pc moved)"
            previous[hart] = regs.get("pc")
            lines.append(line)
    return lines
