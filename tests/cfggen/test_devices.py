"""Emulated devices, interrupts, Sstc, timebase and split RAM (tessera,host-ranges).

Most cases start from fixtures/uboot.dts (emulated PLIC and 16550, passthrough
virtio-mmio on interrupt 8, RAM split into a relocated and an identity part)
and change one thing in it.
"""

import shutil

from cfgtest import (MiB, PLATFORM_ROOT, assert_rejected, cells64, code, edited, generate,
                     guest_dts, line_of, make_elf, stale_out_dir, uboot, write_config)

def custom_platform(tmp_path, name, *replacements):
    root = tmp_path / "platforms"
    shutil.copytree(PLATFORM_ROOT / name, root / name)
    host = root / name / "host.dts"
    host.write_text(edited(host.read_text(), *replacements))
    return root, host


def rejected(tmp_path, scenario, rule_id, needle, node, occurrence=1, platform_root=PLATFORM_ROOT,
             file_name="uboot.dts"):
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out, platform_root=platform_root)
    assert_rejected(result, out, rule_id, file_name,
                    line_of(tmp_path / file_name, needle, occurrence), node)
    return result


def accepted(tmp_path, scenario, platform_root=PLATFORM_ROOT):
    out = tmp_path / "out"
    result = generate(scenario, out, platform_root=platform_root)
    assert result.returncode == 0, result.stderr
    return out, result


def header(out):
    return (out / "tessera_scenario.hpp").read_text()


VIRTIO = "/soc/virtio_mmio@10008000"
VIRTIO_NODE = "\t\tvirtio_mmio@10008000 {"


def before_virtio(nodes):
    """A replacement that adds `nodes` to /soc just before the virtio node."""
    return VIRTIO_NODE, nodes + "\n" + VIRTIO_NODE


# --- the fixture as it is ----------------------------------------------------

def test_fixture_header(tmp_path):
    out, _ = accepted(tmp_path, uboot(tmp_path))
    text = header(out)
    assert "inline constexpr cfg::PlicDevice kPlic{0xc000000, 95};  // /soc/plic@c000000" in text
    assert "inline constexpr bool kHostSstc = true;" in text
    assert ("inline constexpr cfg::EmulatedDevice kEmulated[] = {\n"
            "    {cfg::EmulatedKind::Plic, 0xc000000, 0x600000, 0, 31},  "
            "// /soc/interrupt-controller@c000000\n"
            "    {cfg::EmulatedKind::Ns16550, 0x10000000, 0x1000, 10, 0},  "
            "// /soc/serial@10000000\n"
            "};\n") in text
    assert ("inline constexpr cfg::IrqRoute kIrqs[] = {\n"
            f"    {{8, 8}},  // {VIRTIO} <- host {VIRTIO}\n"
            "};\n") in text
    assert ("    {0x80000000, 0x90000000, 0x4000000, cfg::MemKind::Ram},  "
            "// /memory@80000000 host-ranges[0]\n"
            "    {0x84000000, 0x84000000, 0x4000000, cfg::MemKind::Ram},  "
            "// /memory@80000000 host-ranges[1]\n") in text
    assert "{0x10008000, 0x10008000, 0x1000, cfg::MemKind::Mmio},  // " + VIRTIO in text
    assert ('{"uboot", 1, p0::kHarts, p0::kRegions, p0::kLoads, 0x80200000, 0x83fff000, 8, '
            "p0::kEmulated, p0::kIrqs, true, cfg::FaultPolicy::Stop, 0},") in text


def test_fixture_review_and_dma_finding(tmp_path):
    out, result = accepted(tmp_path, uboot(tmp_path))
    review = (out / "review.txt").read_text()
    assert "plic        0xc000000, 95 sources (/soc/plic@c000000)" in review
    assert "sstc        every hart" in review
    assert "[0xc000000, 0xc600000) Plic /soc/interrupt-controller@c000000, 31 sources" in review
    assert ("[0x10000000, 0x10001000) Ns16550 /soc/serial@10000000, interrupt 10; "
            "size 0x100 rounded up to 0x1000") in review
    assert f"8 -> 8: {VIRTIO} <- host {VIRTIO}" in review
    assert "sstc yes" in review
    # The finding: in the review, and as a warning (not an error) on stderr.
    assert f"WARN [CFG-DMA-001] {VIRTIO}: DMA-capable device (virtio,mmio)" in review
    assert "guest RAM [0x80000000, 0x84000000) (at host 0x90000000)" in review
    assert "WARN  CFG-DMA-001" in review
    line = line_of(tmp_path / "uboot.dts", "tessera,passthrough;")
    assert f"uboot.dts:{line}: warning: [CFG-DMA-001] {VIRTIO}: " in result.stderr
    assert "bypasses stage-2 translation" in result.stderr
    assert "without an IOMMU a DMA-capable device can reach all host memory" in result.stderr
    assert "error" not in result.stderr


def test_identity_ram_has_no_dma_finding(tmp_path):
    nodes = ("\n\tvirtio_mmio@10008000 {\n"
             '\t\tcompatible = "virtio,mmio";\n'
             "\t\treg = <0x0 0x10008000 0x0 0x1000>;\n"
             '\t\ttessera,passthrough = "/soc/virtio_mmio@10008000";\n'
             "\t};\n")
    guest = guest_dts(memory=((0x88000000, 64 * MiB, None),), nodes=nodes)
    scenario = write_config(tmp_path, {"alpha.dts": guest}, images=False)
    make_elf(tmp_path / "alpha.elf", [(0x88000000, code(64), 64)], 0x88000000)
    out, result = accepted(tmp_path, scenario)
    assert "warning" not in result.stderr
    review = (out / "review.txt").read_text()
    assert "PASS  CFG-DMA-001" in review
    assert "  findings\n    none\n" in review


def test_interrupt_parent_is_inherited(tmp_path):
    scenario = uboot(tmp_path,
                     ('compatible = "simple-bus";', 'compatible = "simple-bus";\n'
                                                    "\t\tinterrupt-parent = <&plic>;"),
                     ("clock-frequency = <3686400>;\n\t\t\tinterrupt-parent = <&plic>;",
                      "clock-frequency = <3686400>;"),
                     ('reg = <0x0 0x10008000 0x0 0x1000>;\n\t\t\tinterrupt-parent = <&plic>;',
                      "reg = <0x0 0x10008000 0x0 0x1000>;"))
    out, _ = accepted(tmp_path, scenario)
    text = header(out)
    assert "{cfg::EmulatedKind::Ns16550, 0x10000000, 0x1000, 10, 0}" in text
    assert "    {8, 8},  // " in text


def test_interrupts_extended_on_a_passthrough_device(tmp_path):
    scenario = uboot(tmp_path, ("interrupt-parent = <&plic>;\n\t\t\tinterrupts = <8>;",
                                "interrupts-extended = <&plic 5>;"))
    out, _ = accepted(tmp_path, scenario)
    assert f"    {{8, 5}},  // {VIRTIO} <- host {VIRTIO}" in header(out)


def test_uart_without_interrupt_and_disabled_devices(tmp_path):
    disabled = ("\n\t\trtc@101000 {\n"
                '\t\t\tcompatible = "google,goldfish-rtc";\n'
                "\t\t\treg = <0x0 0x101000 0x0 0x1000>;\n"
                '\t\t\tstatus = "disabled";\n'
                "\t\t};\n")
    scenario = uboot(tmp_path,
                     ("clock-frequency = <3686400>;\n\t\t\tinterrupt-parent = <&plic>;\n"
                      "\t\t\tinterrupts = <10>;", "clock-frequency = <3686400>;"),
                     before_virtio(disabled))
    out, _ = accepted(tmp_path, scenario)
    assert "{cfg::EmulatedKind::Ns16550, 0x10000000, 0x1000, 0, 0}" in header(out)


def test_guest_without_devices_gets_empty_spans(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out, _ = accepted(tmp_path, scenario)
    text = header(out)
    assert "inline constexpr std::span<const cfg::EmulatedDevice> kEmulated{};" in text
    assert "inline constexpr std::span<const cfg::IrqRoute> kIrqs{};" in text
    assert "p0::kEmulated, p0::kIrqs, false, cfg::FaultPolicy::Stop, 0}," in text


# --- host facts: PLIC and Sstc -----------------------------------------------

FPGA_MEMORY = ((0x80000000, 16 * MiB, 0x84000000),)


def fpga_guest(isa=None):
    guest = guest_dts(memory=FPGA_MEMORY).replace("timebase-frequency = <10000000>;",
                                                  "timebase-frequency = <1000000>;")
    if isa:
        guest = edited(guest, ('compatible = "riscv";',
                               f'compatible = "riscv";\n\t\t\triscv,isa = "{isa}";'))
    return guest


def test_fpga_rocket_has_no_sstc(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": fpga_guest("rv64imac_zicsr")},
                            platform="fpga-rocket")
    out, _ = accepted(tmp_path, scenario)
    text = header(out)
    assert "inline constexpr bool kHostSstc = false;" in text
    assert "inline constexpr cfg::PlicDevice kPlic{0xc000000, 2};" in text


def test_host_without_plic(tmp_path):
    root, _ = custom_platform(tmp_path, "qemu-virt",
                              ('compatible = "sifive,plic-1.0.0", "riscv,plic0";',
                               'compatible = "sifive,plic-1.0.0", "riscv,plic0";\n'
                               '\t\t\tstatus = "disabled";'))
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out, _ = accepted(tmp_path, scenario, platform_root=root)
    assert ("inline constexpr cfg::PlicDevice kPlic{0x0, 0};  // the platform has no PLIC"
            in header(out))
    assert "plic        none" in (out / "review.txt").read_text()


def test_host_plic_with_an_unexpected_context_layout(tmp_path):
    root, host = custom_platform(tmp_path, "qemu-virt",
                                 ("<&cpu1_intc 11>, <&cpu1_intc 9>,\n\t\t\t\t\t      "
                                  "<&cpu2_intc 11>", "<&cpu1_intc 9>, <&cpu1_intc 11>,\n"
                                                     "\t\t\t\t\t      <&cpu2_intc 11>"))
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out, platform_root=root)
    assert_rejected(result, out, "CFG-PLAT-001", "platforms/qemu-virt/host.dts",
                    line_of(host, "interrupts-extended = <&cpu0_intc 11>"), "/soc/plic@c000000")
    assert "context 2 is <&/cpus/cpu@1/interrupt-controller 9>" in result.stderr


# --- CFG-DEV-005 ---------------------------------------------------------------

def test_device_neither_passthrough_nor_emulated(tmp_path):
    rtc = ("\n\t\trtc@101000 {\n"
           '\t\t\tcompatible = "google,goldfish-rtc";\n'
           "\t\t\treg = <0x0 0x101000 0x0 0x1000>;\n"
           "\t\t};\n")
    scenario = uboot(tmp_path, before_virtio(rtc))
    result = rejected(tmp_path, scenario, "CFG-DEV-005", "rtc@101000 {", "/soc/rtc@101000")
    assert "compatible google,goldfish-rtc" in result.stderr


# --- CFG-EMU-001..004, CFG-HART-005 --------------------------------------------

def test_three_uarts(tmp_path):
    uarts = "".join(f"\n\t\tserial@1000{n}000 {{\n"
                    '\t\t\tcompatible = "ns16550a";\n'
                    f"\t\t\treg = <0x0 0x1000{n}000 0x0 0x100>;\n"
                    "\t\t};\n" for n in (1, 2))
    scenario = uboot(tmp_path, before_virtio(uarts))
    result = rejected(tmp_path, scenario, "CFG-EMU-002", "serial@10002000 {",
                      "/soc/serial@10002000")
    assert "beyond the 2 a partition can have" in result.stderr


def test_two_uarts(tmp_path):
    uart = ("\n\t\tserial@10001000 {\n"
            '\t\t\tcompatible = "ns16550";\n'
            "\t\t\treg = <0x0 0x10001000 0x0 0x8>;\n"
            "\t\t};\n")
    scenario = uboot(tmp_path, before_virtio(uart))
    out, _ = accepted(tmp_path, scenario)
    assert "{cfg::EmulatedKind::Ns16550, 0x10001000, 0x1000, 0, 0},  // /soc/serial@10001000" \
        in header(out)


def test_more_than_eight_cpus(tmp_path):
    root, _ = custom_platform(tmp_path, "qemu-virt", ("cpus {", "cpus {\n" + "".join(
        f"\t\tcpu@{hart} {{\n\t\t\tdevice_type = \"cpu\";\n\t\t\treg = <{hart}>;\n\t\t}};\n"
        for hart in range(4, 9))))
    guest = guest_dts(harts=tuple((vhart, vhart) for vhart in range(9)))
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    result = rejected(tmp_path, scenario, "CFG-HART-005", "cpu@8 {", "/cpus/cpu@8",
                      platform_root=root, file_name="alpha.dts")
    assert "the guest has 9 cpus; a partition has at most 8" in result.stderr


def test_plic_with_too_many_sources(tmp_path):
    scenario = uboot(tmp_path, ("riscv,ndev = <31>;", "riscv,ndev = <128>;"))
    rejected(tmp_path, scenario, "CFG-EMU-001", "riscv,ndev", "/soc/interrupt-controller@c000000")


def test_plic_contexts_out_of_order(tmp_path):
    scenario = uboot(tmp_path, ("<&cpu0_intc 11>, <&cpu0_intc 9>",
                                "<&cpu0_intc 9>, <&cpu0_intc 11>"))
    result = rejected(tmp_path, scenario, "CFG-EMU-001", "interrupts-extended = <&cpu0_intc",
                      "/soc/interrupt-controller@c000000")
    assert "context 0 is <&/cpus/cpu@0/interrupt-controller 9>, expected" in result.stderr


def test_plic_missing_a_cpu(tmp_path):
    scenario = uboot(tmp_path, (",\n\t\t\t\t\t      <&cpu1_intc 11>, <&cpu1_intc 9>", ""))
    result = rejected(tmp_path, scenario, "CFG-EMU-001", "interrupts-extended = <&cpu0_intc",
                      "/soc/interrupt-controller@c000000")
    assert "2 cpu(s) need 4" in result.stderr


def test_plic_window_too_small(tmp_path):
    scenario = uboot(tmp_path, ("reg = <0x0 0xc000000 0x0 0x600000>;",
                                "reg = <0x0 0xc000000 0x0 0x203000>;"))
    result = rejected(tmp_path, scenario, "CFG-EMU-001", "reg = <0x0 0xc000000",
                      "/soc/interrupt-controller@c000000")
    assert "4 context(s) need 0x204000 bytes" in result.stderr


def test_plic_without_interrupt_controller(tmp_path):
    scenario = uboot(tmp_path, ("#interrupt-cells = <1>;\n\t\t\tinterrupt-controller;\n\t\t\t"
                                "riscv,ndev", "#interrupt-cells = <1>;\n\t\t\triscv,ndev"))
    rejected(tmp_path, scenario, "CFG-EMU-001", "plic: interrupt-controller@c000000",
             "/soc/interrupt-controller@c000000")


def test_two_plics(tmp_path):
    second = ("\n\t\tinterrupt-controller@d000000 {\n"
              '\t\t\tcompatible = "riscv,plic0";\n'
              "\t\t\treg = <0x0 0xd000000 0x0 0x600000>;\n"
              "\t\t\t#interrupt-cells = <1>;\n"
              "\t\t\tinterrupt-controller;\n"
              "\t\t\triscv,ndev = <8>;\n"
              "\t\t};\n")
    scenario = uboot(tmp_path, before_virtio(second))
    rejected(tmp_path, scenario, "CFG-EMU-002", 'compatible = "riscv,plic0";',
             "/soc/interrupt-controller@d000000")


def test_uart_with_reg_shift(tmp_path):
    scenario = uboot(tmp_path, ("clock-frequency = <3686400>;",
                                "clock-frequency = <3686400>;\n\t\t\treg-shift = <2>;"))
    rejected(tmp_path, scenario, "CFG-EMU-003", "reg-shift", "/soc/serial@10000000")


def test_uart_window_too_large(tmp_path):
    scenario = uboot(tmp_path, ("reg = <0x0 0x10000000 0x0 0x100>;",
                                "reg = <0x0 0x10000000 0x0 0x2000>;"))
    rejected(tmp_path, scenario, "CFG-EMU-003", "reg = <0x0 0x10000000", "/soc/serial@10000000")


def test_uart_in_guest_ram(tmp_path):
    scenario = uboot(tmp_path, ("serial@10000000 {", "serial@87000000 {"),
                     ("reg = <0x0 0x10000000 0x0 0x100>;", "reg = <0x0 0x87000000 0x0 0x100>;"))
    result = rejected(tmp_path, scenario, "CFG-EMU-004", "reg = <0x0 0x87000000",
                      "/soc/serial@87000000")
    assert "overlaps /memory@80000000 host-ranges[1]" in result.stderr


def test_uart_on_a_passthrough_window(tmp_path):
    scenario = uboot(tmp_path, ("serial@10000000 {", "serial@10008000 {"),
                     ("reg = <0x0 0x10000000 0x0 0x100>;", "reg = <0x0 0x10008000 0x0 0x100>;"))
    result = rejected(tmp_path, scenario, "CFG-EMU-004", "reg = <0x0 0x10008000",
                      "/soc/serial@10008000")
    assert f"overlaps passthrough {VIRTIO}" in result.stderr


# --- CFG-IRQ-001..004 --------------------------------------------------------

def test_passthrough_interrupt_to_a_cpu_intc(tmp_path):
    scenario = uboot(tmp_path, ("interrupt-parent = <&plic>;\n\t\t\tinterrupts = <8>;",
                                "interrupt-parent = <&cpu0_intc>;\n\t\t\tinterrupts = <8>;"))
    result = rejected(tmp_path, scenario, "CFG-IRQ-001", "interrupts = <8>", VIRTIO)
    assert "not to the guest's PLIC /soc/interrupt-controller@c000000" in result.stderr


def test_passthrough_interrupt_without_a_guest_plic(tmp_path):
    nodes = ("\n\tintc: intc {\n"
             "\t\t#interrupt-cells = <1>;\n"
             "\t\tinterrupt-controller;\n"
             "\t};\n"
             "\n\tvirtio@10008000 {\n"
             '\t\tcompatible = "virtio,mmio";\n'
             "\t\treg = <0x0 0x10008000 0x0 0x1000>;\n"
             "\t\tinterrupt-parent = <&intc>;\n"
             "\t\tinterrupts = <8>;\n"
             '\t\ttessera,passthrough = "/soc/virtio_mmio@10008000";\n'
             "\t};\n")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    result = rejected(tmp_path, scenario, "CFG-IRQ-001", "interrupts = <8>", "/virtio@10008000",
                      file_name="alpha.dts")
    assert "needs an emulated PLIC" in result.stderr


def test_passthrough_interrupt_count_differs_from_host(tmp_path):
    scenario = uboot(tmp_path, ("interrupts = <8>;", "interrupts = <8 9>;"))
    result = rejected(tmp_path, scenario, "CFG-IRQ-001", "interrupts = <8 9>", VIRTIO)
    assert f"lists 2 interrupt(s), host node {VIRTIO} has 1" in result.stderr


def test_host_interrupt_routed_twice(tmp_path):
    root, _ = custom_platform(tmp_path, "qemu-virt",
                              ("reg = <0x0 0x10007000 0x0 0x1000>;\n\t\t\t"
                               "interrupt-parent = <&plic>;\n\t\t\tinterrupts = <7>;",
                               "reg = <0x0 0x10007000 0x0 0x1000>;\n\t\t\t"
                               "interrupt-parent = <&plic>;\n\t\t\tinterrupts = <8>;"))
    second = ("\n\t\tvirtio_mmio@10007000 {\n"
              '\t\t\tcompatible = "virtio,mmio";\n'
              "\t\t\treg = <0x0 0x10007000 0x0 0x1000>;\n"
              "\t\t\tinterrupt-parent = <&plic>;\n"
              "\t\t\tinterrupts = <7>;\n"
              "\t\t\ttessera,passthrough;\n"
              "\t\t};\n")
    scenario = uboot(tmp_path, before_virtio(second))
    result = rejected(tmp_path, scenario, "CFG-IRQ-002", "interrupts = <8>", VIRTIO,
                      platform_root=root)
    assert ("host interrupt 8 of /soc/virtio_mmio@10008000 is already routed to "
            "/soc/virtio_mmio@10007000 of this partition") in result.stderr


def test_guest_interrupt_used_twice(tmp_path):
    scenario = uboot(tmp_path, ("interrupts = <8>;", "interrupts = <10>;"))
    result = rejected(tmp_path, scenario, "CFG-IRQ-003", "interrupts = <10>", VIRTIO,
                      occurrence=2)
    assert "guest interrupt 10 is already used by /soc/serial@10000000" in result.stderr


def test_guest_interrupt_above_ndev(tmp_path):
    scenario = uboot(tmp_path, ("interrupts = <8>;", "interrupts = <40>;"))
    result = rejected(tmp_path, scenario, "CFG-IRQ-004", "interrupts = <40>", VIRTIO)
    assert "guest interrupt 40 is outside 1..31" in result.stderr


def test_host_interrupt_above_host_ndev(tmp_path):
    root, _ = custom_platform(tmp_path, "qemu-virt", ("interrupts = <8>;", "interrupts = <100>;"))
    scenario = uboot(tmp_path)
    result = rejected(tmp_path, scenario, "CFG-IRQ-004", "interrupts = <8>", VIRTIO,
                      platform_root=root)
    assert "host interrupt 100 of /soc/virtio_mmio@10008000 is outside 1..95" in result.stderr


# --- CFG-CPU-001..003 --------------------------------------------------------

def test_cpus_disagree_on_sstc(tmp_path):
    scenario = uboot(tmp_path, ('riscv,isa = "rv64imafdc_zicsr_zifencei_sstc";',
                                'riscv,isa = "rv64imafdc_zicsr_zifencei";'))
    rejected(tmp_path, scenario, "CFG-CPU-001", 'riscv,isa = "rv64imafdc_zicsr_zifencei";',
             "/cpus/cpu@0")


def test_sstc_from_isa_extensions(tmp_path):
    scenario = uboot(tmp_path, ('riscv,isa = "rv64imafdc_zicsr_zifencei_sstc";',
                                'riscv,isa-extensions = "i", "m", "a", "zicsr", "sstc";'))
    out, _ = accepted(tmp_path, scenario)
    assert "p0::kEmulated, p0::kIrqs, true, cfg::FaultPolicy::Stop, 0}," in header(out)


def test_sstc_guest_on_a_host_without_sstc(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": fpga_guest("rv64imac_zicsr_sstc")},
                            platform="fpga-rocket")
    result = rejected(tmp_path, scenario, "CFG-CPU-002", "riscv,isa", "/cpus/cpu@0",
                      file_name="alpha.dts")
    assert "physical hart 1 of fpga-rocket does not" in result.stderr


def test_guest_timebase_differs_from_host(tmp_path):
    scenario = uboot(tmp_path, ("timebase-frequency = <10000000>;",
                                "timebase-frequency = <1000000>;"))
    result = rejected(tmp_path, scenario, "CFG-CPU-003", "timebase-frequency", "/cpus")
    assert "timebase-frequency 1000000 differs from the host's 10000000" in result.stderr


def test_guest_without_timebase(tmp_path):
    guest = edited(guest_dts(), ("\t\ttimebase-frequency = <10000000>;\n", ""))
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    rejected(tmp_path, scenario, "CFG-CPU-003", "cpus {", "/cpus", file_name="alpha.dts")


# --- CFG-MEM-007: tessera,host-ranges -----------------------------------------

HOST_RANGES = "\t\ttessera,host-ranges = "


def test_host_ranges_with_a_gap(tmp_path):
    scenario = uboot(tmp_path, ("0x0 0x84000000  0x0 0x84000000  0x0 0x4000000",
                                "0x0 0x84000000  0x0 0x84000000  0x0 0x3000000"))
    result = rejected(tmp_path, scenario, "CFG-MEM-007", HOST_RANGES, "/memory@80000000")
    assert "reg[0] [0x87000000, 0x88000000) is in no window" in result.stderr


def test_host_ranges_overlapping(tmp_path):
    scenario = uboot(tmp_path, ("0x0 0x84000000  0x0 0x84000000  0x0 0x4000000",
                                "0x0 0x83000000  0x0 0x84000000  0x0 0x5000000"))
    result = rejected(tmp_path, scenario, "CFG-MEM-007", HOST_RANGES, "/memory@80000000")
    assert "window 1 [0x83000000, 0x88000000) overlaps window 0" in result.stderr


def test_host_ranges_outside_reg(tmp_path):
    scenario = uboot(tmp_path, ("0x0 0x84000000  0x0 0x84000000  0x0 0x4000000",
                                "0x0 0x84000000  0x0 0x84000000  0x0 0x5000000"))
    result = rejected(tmp_path, scenario, "CFG-MEM-007", HOST_RANGES, "/memory@80000000")
    assert "window 1 [0x84000000, 0x89000000) is not inside one reg range" in result.stderr


def test_host_ranges_and_host_address(tmp_path):
    scenario = uboot(tmp_path, ('device_type = "memory";',
                                'device_type = "memory";\n'
                                f"\t\ttessera,host-address = <{cells64(0x90000000)}>;"))
    result = rejected(tmp_path, scenario, "CFG-MEM-007", HOST_RANGES, "/memory@80000000")
    assert "not both" in result.stderr


def test_host_ranges_malformed(tmp_path):
    scenario = uboot(tmp_path, ("0x0 0x84000000  0x0 0x84000000  0x0 0x4000000>",
                                "0x0 0x84000000  0x0 0x84000000  0x4000000>"))
    rejected(tmp_path, scenario, "CFG-DT-002", HOST_RANGES, "/memory@80000000")


def test_host_ranges_window_in_reserved_memory(tmp_path):
    scenario = uboot(tmp_path, ("0x0 0x80000000  0x0 0x90000000", "0x0 0x80000000  0x0 0x83000000"))
    result = rejected(tmp_path, scenario, "CFG-MEM-002", HOST_RANGES, "/memory@80000000")
    assert "host-ranges[0] host range [0x83000000, 0x87000000) overlaps reserved" in result.stderr


def test_host_ranges_over_two_reg_ranges(tmp_path):
    memory = ("\tmemory@80000000 {\n"
              '\t\tdevice_type = "memory";\n'
              "\t\treg = <0x0 0x80000000 0x0 0x400000>, <0x0 0x90000000 0x0 0x200000>;\n"
              "\t\ttessera,host-ranges = <0x0 0x80000000 0x0 0x88000000 0x0 0x200000>,\n"
              "\t\t\t<0x0 0x80200000 0x0 0x89000000 0x0 0x200000>,\n"
              "\t\t\t<0x0 0x90000000 0x0 0x8a000000 0x0 0x200000>;\n"
              "\t};\n")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(memory=(), nodes=memory)})
    out, _ = accepted(tmp_path, scenario)
    text = header(out)
    assert "{0x80000000, 0x88000000, 0x200000, cfg::MemKind::Ram},  // /memory@80000000 " \
           "host-ranges[0]" in text
    assert "{0x80200000, 0x89000000, 0x200000, cfg::MemKind::Ram}" in text
    assert "{0x90000000, 0x8a000000, 0x200000, cfg::MemKind::Ram}" in text
