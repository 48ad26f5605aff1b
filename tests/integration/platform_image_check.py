#!/usr/bin/python3
"""A scenario image built for a board that CI can't boot is what that board needs.

Checks, without running it:
  - the image hygiene every image gets (tests/integration/image_hygiene.py);
  - which console driver was compiled in: platform_binding.cpp leaves the
    string "tessera.driver.<name>" in the image for the driver it chose, and
    no other such string may be there;
  - the entry point is the load window's base and every loadable segment lies
    inside the window (the hypervisor's reserved region in host.dts);
  - the generated tables say what the platform promises (--header-has: kHostSstc,
    the console kind, the power-off device, ...).
"""
import argparse
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
DRIVER_MARKER = re.compile(rb"tessera\.driver\.([a-z0-9_]+)\x00")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elf", required=True, type=pathlib.Path)
    parser.add_argument("--nm", required=True)
    parser.add_argument("--readelf", required=True)
    parser.add_argument("--console-driver", required=True, help="e.g. sifive_uart, ns16550")
    parser.add_argument("--load-window", nargs=2, metavar=("BASE", "END"), required=True)
    parser.add_argument("--header", type=pathlib.Path, help="the generated tessera_scenario.hpp")
    parser.add_argument("--header-has", action="append", default=[],
                        help="text the generated header must contain (repeatable)")
    args = parser.parse_args()

    failures = []
    if not args.elf.is_file():
        print(f"FAIL: {args.elf} was not built")
        return 1

    hygiene = subprocess.run([sys.executable, str(HERE / "image_hygiene.py"), "--nm", args.nm,
                              "--readelf", args.readelf, "--elf", str(args.elf)],
                             capture_output=True, text=True)
    print(hygiene.stdout.strip())
    if hygiene.returncode != 0:
        failures.append("image hygiene")

    drivers = sorted({m.group(1).decode() for m in DRIVER_MARKER.finditer(args.elf.read_bytes())})
    if drivers != [args.console_driver]:
        failures.append(f"console driver markers {drivers or 'none'}, "
                        f"expected exactly ['{args.console_driver}']")
    else:
        print(f"PASS: console driver {args.console_driver}")

    base, end = (int(value, 0) for value in args.load_window)
    failures += check_layout(args.readelf, args.elf, base, end)

    if args.header_has:
        text = args.header.read_text() if args.header and args.header.is_file() else ""
        for wanted in args.header_has:
            if wanted in text:
                print(f"PASS: generated header has '{wanted}'")
            else:
                failures.append(f"generated header {args.header} lacks '{wanted}'")


    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


def check_layout(readelf, elf, base, end):
    header = subprocess.run([readelf, "-h", "-W", str(elf)], check=True, capture_output=True,
                            text=True).stdout
    entry = re.search(r"Entry point address:\s+(0x[0-9a-fA-F]+)", header)
    failures = []
    if not entry or int(entry.group(1), 16) != base:
        failures.append(f"entry point {entry.group(1) if entry else '?'} is not {base:#x}")
    segments = subprocess.run([readelf, "-l", "-W", str(elf)], check=True, capture_output=True,
                              text=True).stdout
    loads = [line.split() for line in segments.splitlines() if line.strip().startswith("LOAD")]
    if not loads:
        failures.append("no loadable segment")
    for fields in loads:
        # LOAD offset virtaddr physaddr filesz memsz flags align
        vaddr, paddr, memsz = int(fields[2], 16), int(fields[3], 16), int(fields[5], 16)
        for address in (vaddr, paddr):
            if not (base <= address and address + memsz <= end):
                failures.append(f"segment {address:#x}+{memsz:#x} is outside "
                                f"{base:#x}..{end:#x}")
    if not failures:
        print(f"PASS: entry {base:#x}, {len(loads)} loadable segments inside {base:#x}..{end:#x}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
