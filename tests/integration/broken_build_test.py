#!/usr/bin/python3
"""A broken guest .dts stops the firmware build with file, line, node and rule.

Configures a firmware tree with tests/configs/broken-hart-twice.scenario.dts as
an extra scenario, builds its image, and expects the build to fail with
cfggen's message for the hart given twice, and no generated tables left.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--python", default="/usr/bin/python3")
    args = parser.parse_args()

    scenario = os.path.join(args.source, "tests/configs/broken-hart-twice.scenario.dts")
    shutil.rmtree(args.work, ignore_errors=True)
    configure = subprocess.run(
        ["cmake", "-S", args.source, "-B", args.work, "-G", "Ninja",
         f"-DCMAKE_TOOLCHAIN_FILE={args.source}/cmake/riscv64-gcc.cmake",
         f"-DTESSERA_PYTHON={args.python}", f"-DTESSERA_EXTRA_SCENARIOS={scenario}"],
        capture_output=True, text=True)
    if configure.returncode != 0:
        print("FAIL: configure failed\n", configure.stdout, configure.stderr)
        return 1
    build = subprocess.run(["cmake", "--build", args.work, "--target", "tessera-broken-hart-twice"],
                           capture_output=True, text=True)
    output = build.stdout + build.stderr
    expected = re.compile(
        r"tests/configs/broken-hart-twice\.dts:25: error: \[CFG-HART-003\] /cpus/cpu@1: .*hart 2")
    problems = []
    if build.returncode == 0:
        problems.append("the build succeeded")
    if not expected.search(output):
        problems.append(f"no message matching {expected.pattern!r}")
    generated = os.path.join(args.work, "scenarios/broken-hart-twice/generated")
    if os.path.exists(generated):
        problems.append(f"{generated} exists: the generator left output behind")
    if os.path.exists(os.path.join(args.work, "scenarios/broken-hart-twice/tessera-broken-hart-twice.elf")):
        problems.append("an image was linked")
    if problems:
        for problem in problems:
            print("FAIL:", problem)
        print("--- build output (last 40 lines) ---")
        print("\n".join(output.splitlines()[-40:]))
        return 1
    print("PASS: the build stopped with:",
          next(line for line in output.splitlines() if "CFG-HART-003" in line))
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
