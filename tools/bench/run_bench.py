#!/usr/bin/python3
"""Tessera's benchmarks: the same guest natively and under the hypervisor.

Boots guests/bench three times on QEMU virt with `-icount shift=0,sleep=off`
(instret then counts every instruction retired at every privilege level,
deterministically; see docs/performance.md):

  native         bench.elf on OpenSBI alone (S-mode, loaded at 0x80200000)
  tessera        scenario tests/configs/bench.scenario.dts (hart 0, Sstc)
  tessera-nosstc scenario tests/configs/bench-nosstc.scenario.dts (no Sstc)

types the iteration count on each guest's console when it asks, parses the
`bench: <name> <value>` lines it prints, and prints a table of instructions
per operation, native and under Tessera, with each figure's target. With
--markdown FILE it also rewrites the part of FILE between the markers
`<!-- bench:begin -->` and `<!-- bench:end -->`.

Exit status: 0 when every run finished and produced every figure and the
pure-ALU loop has a ratio of exactly 1.00 (what the bench-smoke test checks);
1 otherwise. A missed target is reported, not an error.
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from qemu import OPENSBI  # noqa: E402  (the firmware every boot of the project uses)

ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm"]
PROMPT = "bench: iterations?"
LINE = re.compile(r"bench: ([a-z_]+) (\d+)(?:\.(\d))?\s*$")
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
CODE_SIZE_TARGET = 24 * 1024


def qemu_command(elf, extra=()):
    """QEMU virt with one hart, as both the native and the Tessera runs use it."""
    return ["qemu-system-riscv64", "-M", "virt", "-smp", "1", "-m", "1G", "-nographic",
            *ICOUNT, "-bios", OPENSBI, "-kernel", os.fspath(elf), *extra]


@dataclass
class Run:
    values: dict = field(default_factory=dict)   # name -> tenths of an instruction
    console: list = field(default_factory=list)
    exit_status: int = None
    error: str = None


def boot(command, iterations, timeout):
    """Runs one QEMU command; answers the guest's prompt; collects its figures."""
    run = Run()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    started = time.monotonic()
    try:
        for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            run.console.append(line)
            if line.endswith(PROMPT):
                process.stdin.write(f"{iterations}\n".encode())
                process.stdin.flush()
                continue
            match = LINE.search(line)
            if match:
                whole, tenth = int(match.group(2)), int(match.group(3) or 0)
                run.values[match.group(1)] = whole * 10 + tenth
            elif "bench: FAIL" in line:
                run.error = line[line.index("bench: FAIL"):]
        run.exit_status = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if time.monotonic() - started >= timeout:
        run.error = run.error or f"timed out after {timeout:.0f} s"
    elif run.exit_status != 0:
        run.error = run.error or f"QEMU exited with status {run.exit_status}"
    elif "done" not in run.console[-1] and not any(l.endswith("bench: done") for l in run.console):
        run.error = run.error or "the guest did not finish"
    return run


# ---- The table --------------------------------------------------------------

@dataclass
class Row:
    operation: str
    native: str
    tessera: str
    ratio: str
    target: str
    met: str


def fmt(tenths):
    return f"{tenths // 10:,}.{tenths % 10}"


def ratio(tessera, native):
    return f"{tessera / native:.2f}" if native else "-"


def figure_rows(native, tessera, nosstc):
    """Rows of the table; a figure missing from a run shows as 'missing'."""
    rows, problems = [], []

    def get(run, name, label):
        value = run.values.get(name)
        if value is None:
            problems.append(f"{label}: no figure '{name}'")
        elif run.values.get(name + "_waits"):
            problems.append(f"{label}: '{name}' waited in wfi {run.values[name + '_waits'] // 10} "
                            "time(s): its count includes idle time")
        return value

    def row(operation, name, target_text, check, tessera_run=tessera, tessera_label="tessera"):
        n = get(native, name, "native")
        t = get(tessera_run, name, tessera_label)
        if n is None or t is None:
            rows.append(Row(operation, fmt(n) if n is not None else "missing",
                            fmt(t) if t is not None else "missing", "-", target_text, "?"))
            return
        met = "-" if check is None else "yes" if check(n, t) else "**no**"
        rows.append(Row(operation, fmt(n), fmt(t), ratio(t, n), target_text, met))

    row("SBI call round trip (BASE get_spec_version)", "sbi_base", "≤ 110",
        lambda n, t: t <= 1100)
    row("SBI set_timer round trip (far future)", "sbi_set_timer", "≤ 110",
        lambda n, t: t <= 1100)
    row("Emulated MMIO read (PLIC priority, 32-bit)", "mmio_read", "≤ 140",
        lambda n, t: t <= 1400)
    row("Timer interrupt, Sstc (stimecmp = time + 1)", "timer_sstc", "= native",
        lambda n, t: t == n)
    row("Timer interrupt, no Sstc (SBI set_timer)", "timer_sbi", "≤ native + 70",
        lambda n, t: t <= n + 700, nosstc, "tessera-nosstc")
    row("Passthrough interrupt (goldfish RTC via PLIC)", "irq_passthrough", "(reported)", None)
    row("Page-walk loop (one pass, 2048 × 4 KiB pages)", "pagewalk", "ratio 1.00",
        lambda n, t: t == n)
    row("Pure ALU loop (256 xorshift rounds)", "alu", "ratio 1.00 exactly",
        lambda n, t: t == n)
    n, t = get(native, "boot", "native"), get(tessera, "boot", "tessera")
    if n is not None and t is not None:
        rows.append(Row("Boot to the guest's first instruction", f"{n // 10:,}", f"{t // 10:,}",
                        f"+{(t - n) // 10:,}", "≤ native + 380,000",
                        "yes" if t - n <= 3_800_000 else "**no**"))
    else:
        rows.append(Row("Boot to the guest's first instruction", "missing", "missing", "-",
                        "≤ native + 380,000", "?"))
    alu_n, alu_t = native.values.get("alu"), tessera.values.get("alu")
    if alu_n is not None and alu_t is not None and alu_n != alu_t:
        problems.append(f"ALU ratio is not exactly 1.00 ({fmt(alu_t)} vs {fmt(alu_n)})")
    return rows, problems


def code_size(image, size_tool="riscv64-linux-gnu-size"):
    """(text, rodata) bytes of the hypervisor image; .guest_images is not counted."""
    out = subprocess.run([size_tool, "-A", os.fspath(image)], capture_output=True, text=True,
                         check=True).stdout
    sections = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sections[parts[0]] = int(parts[1])
    return sections.get(".text", 0), sections.get(".rodata", 0) + sections.get(".srodata", 0)


def code_size_row(image):
    text, rodata = code_size(image)
    total = text + rodata
    return Row("Hypervisor code size: .text + .rodata (bytes)", "-",
               f"{text:,} + {rodata:,} = {total:,}", "-", f"≤ {CODE_SIZE_TARGET:,} (24 KiB)",
               "yes" if total <= CODE_SIZE_TARGET else "**no**")


def render_text(rows):
    headers = ["operation", "native", "Tessera", "ratio", "target", "met?"]
    cells = [headers] + [[r.operation, r.native, r.tessera, r.ratio, r.target,
                          r.met.replace("**", "")] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows, details):
    lines = ["| operation | native | Tessera | ratio | target | met? |",
             "| --- | ---: | ---: | ---: | --- | --- |"]
    for r in rows:
        lines.append(f"| {r.operation} | {r.native} | {r.tessera} | {r.ratio} | {r.target} "
                     f"| {r.met} |")
    return "\n".join(lines + [""] + details)


def update_markdown(path, body):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text or text.index(BEGIN) > text.index(END):
        raise SystemExit(f"run_bench: {path} has no {BEGIN} ... {END} section")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}{BEGIN}\n<!-- generated by tools/bench/run_bench.py: do not edit -->\n"
                f"{body}\n{END}{tail}")


def versions(native_run):
    qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()
    opensbi = next((l.strip() for l in native_run.console if l.strip().startswith("OpenSBI v")),
                   "OpenSBI")
    return (qemu[0].replace("QEMU emulator version", "QEMU") if qemu else "QEMU"), opensbi


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "firmware-gcc"),
                        help="the gcc firmware build directory (default: build/firmware-gcc)")
    parser.add_argument("--iterations", type=int, default=1000,
                        help="iterations per operation (page walk: a twentieth; default 1000)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per QEMU run")
    parser.add_argument("--markdown", help="rewrite the generated section of this file")
    args = parser.parse_args()
    if not 1 <= args.iterations <= 1_000_000:
        parser.error("--iterations must be within 1..1000000")

    guest = os.path.join(args.build, "guests", "bench", "bench.elf")
    images = {name: os.path.join(args.build, "scenarios", name, f"tessera-{name}.elf")
              for name in ("bench", "bench-nosstc")}
    for path in [guest, *images.values()]:
        if not os.path.isfile(path):
            raise SystemExit(f"run_bench: {path} is missing: build first (./tessera build)")

    commands = {"native": qemu_command(guest),
                "tessera": qemu_command(images["bench"]),
                "tessera-nosstc": qemu_command(images["bench-nosstc"])}
    runs = {}

    def worker(label):
        runs[label] = boot(commands[label], args.iterations, args.timeout)

    threads = [threading.Thread(target=worker, args=(label,)) for label in commands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    problems = []
    for label, run in runs.items():
        if run.error:
            problems.append(f"{label}: {run.error}")
            tail = "\n".join("    " + l for l in run.console[-15:])
            print(f"run_bench: {label} run failed ({run.error}); its last lines:\n{tail}",
                  file=sys.stderr)
    rows, figure_problems = figure_rows(runs["native"], runs["tessera"], runs["tessera-nosstc"])
    problems += figure_problems
    rows.append(code_size_row(images["bench"]))

    qemu, opensbi = versions(runs["native"])
    nosstc_set_timer = runs["tessera-nosstc"].values.get("sbi_set_timer")
    sstc_timer_sbi = runs["tessera"].values.get("timer_sbi")
    passes = max(args.iterations // 20, 1)
    details = [
        f"{args.iterations} iterations per operation (page walk: {passes} "
        f"pass{'es' if passes > 1 else ''}); {qemu}; {opensbi}; "
        f"`-smp 1 -icount shift=0,sleep=off -rtc clock=vm`.",
        "Tessera figures come from the `bench` scenario, but the timer without Sstc, from "
        "`bench-nosstc`.",
    ]
    if nosstc_set_timer is not None and sstc_timer_sbi is not None:
        details.append(f"Also measured: SBI set_timer round trip on the partition without Sstc "
                       f"{fmt(nosstc_set_timer)}; timer interrupt through SBI set_timer on the "
                       f"partition with Sstc {fmt(sstc_timer_sbi)}.")

    print(render_text(rows))
    print()
    for line in details:
        print(line)
    if args.markdown:
        update_markdown(args.markdown, render_markdown(rows, details))
        print(f"run_bench: wrote the table into {args.markdown}")
    for problem in problems:
        print(f"run_bench: error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
