"""tools/stack_usage/stack_usage.py on small programs built for the purpose.

Each case compiles tests/stack_usage/program.cpp (with one CASE_* macro) and
program.S with the firmware's compilers and flags that matter (-O2, function
sections, -fstack-usage, g++'s -fcallgraph-info=su), links it like a
hypervisor image into a firmware-build-shaped directory, and runs the check
with the case's entry and indirect-call tables. The good case must pass with
the figure the frames add up to; every other case must fail, saying why.
"""
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(ROOT, "tools", "stack_usage", "stack_usage.py")
COMMON = ["-O2", "-g", "-mabi=lp64", "-mcmodel=medany", "-ffreestanding", "-fno-exceptions",
          "-fno-rtti", "-fno-pic", "-ffunction-sections", "-fdata-sections", "-nostdlib"]
COMPILERS = {
    "gcc": (["riscv64-linux-gnu-g++", "-march=rv64imac_zicsr_zifencei"],
            ["-fstack-usage", "-fcallgraph-info=su"], ["-no-pie"]),
    "clang": (["clang++", "--target=riscv64-linux-gnu", "-march=rv64imac"],
              ["-fstack-usage"], ["-fuse-ld=lld"]),
}
LINKER_SCRIPT = """ENTRY(_start)
SECTIONS {
  . = 0x80200000;
  .text : { KEEP(*(.text.entry)) *(.text .text.*) }
  .rodata : { *(.rodata .rodata.* .srodata .srodata.*) }
  .data : { *(.data .data.* .sdata .sdata.*) }
  .bss : { *(.bss .bss.* .sbss .sbss.* COMMON) }
  /DISCARD/ : { *(.eh_frame*) *(.comment) }
}
"""
ENTRIES = "_start 0 test_main\n"


def build_and_check(tmp_path, compiler, case, entries=ENTRIES, indirect="", asm_case=None):
    """Builds the program for `case`; returns (exit status, output) of the check."""
    firmware = tmp_path / f"firmware-{compiler}"
    objects = firmware / "CMakeFiles" / "tessera-t.dir"
    image_dir = firmware / "scenarios" / "t"
    for directory in (objects, image_dir, firmware / "core" / "CMakeFiles" / "tessera_core.dir",
                      firmware / "core" / "CMakeFiles" / "tessera_libc.dir"):
        directory.mkdir(parents=True, exist_ok=True)
    driver, stack_flags, link_flags = COMPILERS[compiler]
    program = objects / "program.cpp.obj"
    entry = objects / "program.S.obj"
    subprocess.run(driver + COMMON + stack_flags + ["-std=c++20", f"-D{case}", "-c",
                   os.path.join(HERE, "program.cpp"), "-o", str(program)], check=True)
    subprocess.run(driver + COMMON + ([f"-D{asm_case}"] if asm_case else []) + [
        "-c", os.path.join(HERE, "program.S"), "-o", str(entry)], check=True)
    script = tmp_path / "program.ld"
    script.write_text(LINKER_SCRIPT)
    subprocess.run(driver + COMMON + link_flags + ["-static", "-Wl,--gc-sections", "-T", str(script),
                   str(entry), str(program), "-o", str(image_dir / "tessera-t.elf")], check=True)
    (tmp_path / "entries.txt").write_text(entries)
    (tmp_path / "indirect.txt").write_text(indirect)
    result = subprocess.run([sys.executable, TOOL, "--firmware", str(firmware), "--compiler", compiler,
                             "--entries", str(tmp_path / "entries.txt"),
                             "--indirect-calls", str(tmp_path / "indirect.txt"), "--verbose"],
                            capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(params=sorted(COMPILERS))
def compiler(request):
    return request.param


def test_good_program_passes_with_its_frames_added_up(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_GOOD",
                                  indirect="test_main -> hook\n")
    assert status == 0, out
    path = re.search(r"entry (_start \(0\) -> test_main .*)\)$", out, re.M).group(1)
    frames = [int(f.replace(",", "")) for f in re.findall(r"\(([\d,]+)\)", path)]
    names = re.findall(r"(\S+) \(", path)
    assert names[:2] == ["_start", "test_main"] and names[-1] in ("deep", "hook"), out
    total = int(re.search(r"PASS: worst case ([\d,]+) B of 4,096 B", out).group(1).replace(",", ""))
    assert total == sum(frames) and total > 512, out


def test_stack_over_the_budget_fails(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_TOO_DEEP")
    assert status == 1, out
    assert re.search(r"FAIL: _start -> test_main needs [\d,]+ B, more than the 4,096 B stack", out), out


def test_recursion_fails(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_RECURSION")
    assert status == 1, out
    assert re.search(r"FAIL: recursion: (ping -> pong -> ping|pong -> ping -> pong)", out), out


def test_unresolved_indirect_call_fails(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_GOOD")
    assert status == 1, out
    assert re.search(r"FAIL: unresolved indirect (tail )?call at 0x[0-9a-f]+ in test_main, "
                     r"written in test_main \(.*program.cpp:\d+", out), out
    assert ("the address of hook is taken (stored in data by program.cpp.obj), but it is "
            "neither an entry") in out, out


def test_table_target_never_taken_and_unused_line_fail(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_GOOD",
                                  indirect="test_main -> hook\ntest_main -> deep\nnobody -> hook\n")
    assert status == 1, out
    assert "deep is listed as a target of test_main, but the image never takes its address" in out, out
    assert "no indirect call written in nobody needed 'nobody -> hook'" in out, out


def test_dynamic_frame_fails(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_ALLOCA")
    assert status == 1, out
    assert re.search(r"FAIL: (test_main has a dynamic stack frame|test_main writes sp)", out), out


def test_assembly_stack_must_be_declared(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_RECURSION_FREE", asm_case="ASM_PUSHES")
    assert status == 1, out
    assert "_start declares 0 B of stack, its code uses 16 B" in out, out
    status, out = build_and_check(tmp_path, compiler, "CASE_RECURSION_FREE",
                                  entries="_start 16 test_main\n", asm_case="ASM_PUSHES")
    assert status == 0, out
    assert re.search(r"_start \(16\) -> test_main", out), out


def test_assembly_calls_must_be_declared(tmp_path, compiler):
    status, out = build_and_check(tmp_path, compiler, "CASE_RECURSION_FREE", asm_case="ASM_CALLS_MORE")
    assert status == 1, out
    assert "the code from _start calls test_main, test_other; called but not declared: test_other" in out, out
