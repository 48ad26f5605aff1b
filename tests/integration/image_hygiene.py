#!/usr/bin/python3
"""The hypervisor image has no heap and no hidden C++ runtime.

Fails if the symbol table names an allocator, operator new/delete or any
__cxa_* runtime function, or if the image has a non-empty .init_array.
"""
import argparse
import re
import subprocess
import sys

FORBIDDEN = re.compile(
    r"^(malloc|calloc|realloc|free|aligned_alloc|posix_memalign|"
    r"_Znw.*|_Zna.*|_Zdl.*|_Zda.*|__cxa_.*|__gxx_personality.*|_Unwind_.*|atexit|__dso_handle)$")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nm", required=True)
    parser.add_argument("--readelf", required=True)
    parser.add_argument("--elf", required=True)
    args = parser.parse_args()

    symbols = subprocess.run([args.nm, "-A", args.elf], check=True, capture_output=True,
                             text=True).stdout.split("\n")
    names = [line.split()[-1] for line in symbols if line.strip()]
    if len(names) < 20:
        print(f"FAIL: only {len(names)} symbols in {args.elf}: is it stripped?")
        return 1
    bad = sorted({name for name in names if FORBIDDEN.match(name)})

    sections = subprocess.run([args.readelf, "-S", "-W", args.elf], check=True,
                              capture_output=True, text=True).stdout
    init_array = [line for line in sections.split("\n") if ".init_array" in line]
    init_array_sizes = [_section_size(line) for line in init_array]

    failed = False
    if bad:
        print("FAIL: runtime or allocation symbols in the image:", ", ".join(bad))
        failed = True
    if any(size != 0 for size in init_array_sizes):
        print("FAIL: .init_array is not empty: global constructors would run")
        failed = True
    if failed:
        return 1
    print(f"PASS: {len(names)} symbols, none allocates or needs the C++ runtime; "
          f".init_array empty ({'absent' if not init_array else 'size 0'})")
    return 0


def _section_size(line):
    """Size column of a `readelf -S -W` row: the field after Off."""
    fields = line.split("]", 1)[1].split()
    # name type address offset size ...
    return int(fields[4], 16)


if __name__ == "__main__":
    sys.exit(main())
