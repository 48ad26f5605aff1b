"""The generated files against the real C++ runtime headers and the RISC-V assembler."""

import shutil
import subprocess
from pathlib import Path

import pytest

from cfgtest import MiB, REPO, cells64, code, generate, guest_dts, make_elf, write_config

CORE = REPO / "core"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GXX = shutil.which("g++")
RISCV_GCC = shutil.which("riscv64-linux-gnu-gcc") or shutil.which("riscv64-unknown-elf-gcc")

# RAM mapped with 1 GiB, 2 MiB and 4 KiB leaves, plus two device pages.
MEMORY = ((0x80000000, 64 * MiB, 0x88000000),
          (0x90000000, 3 * MiB + 0x5000, 0x98003000))
DEVICES = ("\n\trtc@101000 {\n"
           "\t\treg = <0x0 0x101000 0x0 0x1000>;\n"
           '\t\ttessera,passthrough = "/soc/rtc@101000";\n'
           "\t};\n"
           "\n\tvirtio@20002000 {\n"
           "\t\treg = <0x0 0x20002000 0x0 0x1000>;\n"
           '\t\ttessera,passthrough = "/soc/virtio_mmio@10002000";\n'
           "\t};\n")


@pytest.fixture
def out(tmp_path):
    beta_props = f"\ttessera,dtb-address = <{cells64(0x80100000)}>;"
    guests = {"alpha.dts": guest_dts("alpha", memory=MEMORY, nodes=DEVICES),
              "beta.dts": guest_dts("beta", harts=((0, 2), (1, 3)), root_props=beta_props,
                                    memory=((0x80000000, 2 * MiB, 0xA0000000),))}
    scenario = write_config(tmp_path, guests, images=False)
    make_elf(tmp_path / "alpha.elf", [(0x80000000, code(0x100), 0x1000),
                                      (0x90001000, code(0x10), 0x10)], 0x80000000)
    make_elf(tmp_path / "beta.elf", [(0x80000000, code(0x100), 0x100)], 0x80000000)
    out_dir = tmp_path / "out"
    result = generate(scenario, out_dir)
    assert result.returncode == 0, result.stderr
    return out_dir


@pytest.mark.skipif(GXX is None or not (CORE / "mm" / "stage2.hpp").is_file(),
                    reason="needs g++ and core/mm/stage2.hpp")
def test_header_compiles_and_matches_the_runtime_page_count(out, tmp_path):
    check = tmp_path / "check.cpp"
    check.write_text(
        '#include "tessera_scenario.hpp"\n'
        '#include "mm/stage2.hpp"\n'
        "namespace s = tessera::scenario;\n"
        "template <unsigned I> constexpr bool partition_ok() {\n"
        "    const auto& p = s::kPartitions[I];\n"
        "    return tessera::mm::pages_needed(p.regions) == p.stage2_pages &&\n"
        "           tessera::mm::regions_well_formed(p.regions) && p.vmid == I + 1;\n"
        "}\n"
        "static_assert(s::kPartitionCount == 2);\n"
        "static_assert(partition_ok<0>());\n"
        "static_assert(partition_ok<1>());\n"
        "static_assert(s::kPartitions[1].dtb_gpa == 0x80100000);\n"
        "static_assert(s::kPartitions[0].harts.size() == 1 && s::kPartitions[1].harts[1] == 3);\n"
        "static_assert(s::kPartitions[0].emulated.empty() && s::kPartitions[0].irqs.empty());\n"
        "static_assert(!s::kPartitions[0].sstc && !s::kPartitions[1].sstc);\n"
        "static_assert(s::kPlic.base == 0xc000000 && s::kPlic.sources == 95 && s::kHostSstc);\n"
        "static_assert(s::kConsoleOwner == -1);\n"
        "int main() {}\n")
    assert compiles(check, out)


def compiles(check, out):
    result = subprocess.run([GXX, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
                             f"-I{CORE}", f"-I{out}", str(check)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    return True


@pytest.mark.skipif(GXX is None or not (CORE / "mm" / "stage2.hpp").is_file(),
                    reason="needs g++ and core/mm/stage2.hpp")
def test_devices_fixture_header_compiles_with_its_tables(tmp_path):
    """fixtures/uboot.dts: emulated PLIC and UART, an interrupt route, split RAM, Sstc."""
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    make_elf(tmp_path / "fixtures" / "uboot.elf", [(0x80200000, code(0x100), 0x1000)],
             0x80200000)
    out = tmp_path / "out"
    result = generate(tmp_path / "fixtures" / "uboot.scenario.dts", out)
    assert result.returncode == 0, result.stderr
    check = tmp_path / "check.cpp"
    check.write_text(
        '#include "tessera_scenario.hpp"\n'
        '#include "mm/stage2.hpp"\n'
        "namespace s = tessera::scenario;\n"
        "namespace cfg = tessera::cfg;\n"
        "constexpr const cfg::PartitionSpec& p = s::kPartitions[0];\n"
        "static_assert(p.sstc && s::kHostSstc);\n"
        "static_assert(s::kPlic.base == 0xc000000 && s::kPlic.sources == 95);\n"
        "static_assert(p.emulated.size() == 2);\n"
        "static_assert(p.emulated[0].kind == cfg::EmulatedKind::Plic &&\n"
        "              p.emulated[0].gpa == 0xc000000 && p.emulated[0].size == 0x600000 &&\n"
        "              p.emulated[0].sources == 31 && p.emulated[0].irq == 0);\n"
        "static_assert(p.emulated[1].kind == cfg::EmulatedKind::Ns16550 &&\n"
        "              p.emulated[1].gpa == 0x10000000 && p.emulated[1].size == 0x1000 &&\n"
        "              p.emulated[1].irq == 10 && p.emulated[1].sources == 0);\n"
        "static_assert(p.irqs.size() == 1 && p.irqs[0].host_irq == 8 &&\n"
        "              p.irqs[0].guest_irq == 8);\n"
        "static_assert(p.regions.size() == 3 && p.regions[1].hpa == 0x90000000 &&\n"
        "              p.regions[2].gpa == 0x84000000 && p.regions[2].hpa == 0x84000000);\n"
        "static_assert(tessera::mm::regions_well_formed(p.regions) &&\n"
        "              tessera::mm::pages_needed(p.regions) == p.stage2_pages);\n"
        "int main() {}\n")
    assert compiles(check, out)


@pytest.mark.skipif(RISCV_GCC is None, reason="needs a RISC-V gcc")
def test_blobs_assemble_with_their_contents(out, tmp_path):
    obj = tmp_path / "blobs.o"
    subprocess.run([RISCV_GCC, "-c", str(out / "tessera_blobs.S"), "-o", str(obj)], check=True)
    raw = tmp_path / "rodata.bin"
    objcopy = RISCV_GCC.replace("-gcc", "-objcopy")
    subprocess.run([objcopy, "-O", "binary", "--only-section=.guest_images", str(obj),
                    str(raw)], check=True)
    assert code(0x100) in raw.read_bytes()
    assert (out / "blobs" / "p1.dtb").read_bytes() in raw.read_bytes()
    symbols = subprocess.run([RISCV_GCC.replace("-gcc", "-nm"), str(obj)], capture_output=True,
                             text=True, check=True).stdout
    for name in ("p0_load0", "p0_load1", "p0_dtb", "p1_load0", "p1_dtb"):
        assert f" R tessera_blob_{name}\n" in symbols
