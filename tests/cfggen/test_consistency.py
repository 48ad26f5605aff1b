"""A guest DT consistent with itself: reg and ranges fit their cell counts (CFG-DT-004),
interrupt references resolve (CFG-DT-005), buses do not translate (CFG-DT-006), and the
cpu nodes are exactly the partition's harts (CFG-HART-006).

Every node counts, disabled ones included: the guest's OS reads them all.
"""

import pytest

from cfgtest import (assert_rejected, generate, guest_dts, line_of, stale_out_dir, uboot,
                     write_config)

DISABLED_FLASH = ("\n\tflash@20000000 {\n"
                  '\t\tcompatible = "cfi-flash";\n'
                  "\t\treg = <0x20000000 0x1000>;\n"
                  '\t\tstatus = "disabled";\n'
                  "\t};\n")


def soc_with_rtc(ranges):
    """A bus holding the passthrough goldfish RTC, with the given ranges property."""
    return ("\n\tsoc {\n"
            "\t\t#address-cells = <2>;\n"
            "\t\t#size-cells = <2>;\n"
            '\t\tcompatible = "simple-bus";\n'
            f"\t\tranges = {ranges};\n"
            "\t\trtc@101000 {\n"
            '\t\t\tcompatible = "google,goldfish-rtc";\n'
            "\t\t\treg = <0x0 0x101000 0x0 0x1000>;\n"
            "\t\t\ttessera,passthrough;\n"
            "\t\t};\n"
            "\t};\n")


def rejected(tmp_path, scenario, rule_id, file_name, needle, node):
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, rule_id, file_name, line_of(tmp_path / file_name, needle), node)
    return result


# --- CFG-DT-004 ----------------------------------------------------------------

def test_reg_of_a_disabled_node_with_the_wrong_cell_count(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=DISABLED_FLASH)})
    result = rejected(tmp_path, scenario, "CFG-DT-004", "alpha.dts", "reg = <0x20000000",
                      "/flash@20000000")
    assert "reg has 2 cells, not a multiple of /'s #address-cells + #size-cells = 4" \
        in result.stderr


def test_ranges_with_the_wrong_cell_count(tmp_path):
    nodes = soc_with_rtc("<0x0 0x100000 0x0 0x100000 0x10000>")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    result = rejected(tmp_path, scenario, "CFG-DT-004", "alpha.dts", "ranges =", "/soc")
    assert "ranges has 5 cells, not a multiple of" in result.stderr


def test_identity_ranges_and_well_formed_reg(tmp_path):
    nodes = soc_with_rtc("<0x0 0x100000 0x0 0x100000 0x0 0x10000>")
    nodes += DISABLED_FLASH.replace("<0x20000000 0x1000>", "<0x0 0x20000000 0x0 0x1000>")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    result = generate(scenario, tmp_path / "out")
    assert result.returncode == 0, result.stderr


# --- CFG-DT-006 ----------------------------------------------------------------

def test_translating_ranges(tmp_path):
    nodes = soc_with_rtc("<0x0 0x0 0x0 0x100000 0x0 0x10000>")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    result = rejected(tmp_path, scenario, "CFG-DT-006", "alpha.dts", "ranges =", "/soc")
    assert "ranges maps child address 0x0 to 0x100000" in result.stderr


# --- CFG-DT-005 ----------------------------------------------------------------

DISABLED_RTC = ("\t\trtc@101000 {\n"
                '\t\t\tcompatible = "google,goldfish-rtc";\n'
                "\t\t\treg = <0x0 0x101000 0x0 0x1000>;\n"
                '\t\t\tstatus = "disabled";\n'
                "\t\t\t{interrupts}\n"
                "\t\t};\n")
VIRTIO_NODE = "\t\tvirtio_mmio@10008000 {"


@pytest.mark.parametrize("interrupts, needle, message", [
    ("interrupt-parent = <0x99>;\n\t\t\tinterrupts = <5>;", "interrupt-parent = <0x99>",
     "interrupt-parent <0x99> names no node"),
    ("interrupt-parent = <&uart0>;\n\t\t\tinterrupts = <5>;", "interrupt-parent = <&uart0>",
     "interrupt-parent names /soc/serial@10000000, which is not an interrupt controller"),
    ("interrupts-extended = <&plic 5>, <&cpu0_intc>;", "interrupts-extended = <&plic 5>",
     "interrupts-extended ends in the middle of a specifier"),
    ("interrupts-extended = <&plic 5 6>;", "interrupts-extended = <&plic 5 6>",
     "interrupts-extended: phandle <0x6> names no node"),
])
def test_unresolved_interrupt_references(tmp_path, interrupts, needle, message):
    rtc = DISABLED_RTC.replace("{interrupts}", interrupts)
    scenario = uboot(tmp_path, ("serial@10000000 {", "uart0: serial@10000000 {"),
                     (VIRTIO_NODE, rtc + VIRTIO_NODE))
    result = rejected(tmp_path, scenario, "CFG-DT-005", "uboot.dts", needle, "/soc/rtc@101000")
    assert message in result.stderr


def test_interrupt_parent_inherited_from_a_bus(tmp_path):
    """A device without its own interrupt-parent takes its bus's (the fixture's serial and
    virtio nodes name the PLIC themselves; here the bus does it for them)."""
    scenario = uboot(tmp_path,
                     ('compatible = "simple-bus";',
                      'compatible = "simple-bus";\n\t\tinterrupt-parent = <&plic>;'),
                     ("interrupt-parent = <&plic>;\n\t\t\tinterrupts = <10>;",
                      "interrupts = <10>;"))
    result = generate(scenario, tmp_path / "out")
    assert result.returncode == 0, result.stderr


def test_bus_interrupt_parent_names_no_controller(tmp_path):
    scenario = uboot(tmp_path, ('compatible = "simple-bus";',
                                'compatible = "simple-bus";\n\t\tinterrupt-parent = <0x77>;'))
    rejected(tmp_path, scenario, "CFG-DT-005", "uboot.dts", "interrupt-parent = <0x77>", "/soc")


# --- CFG-HART-006 --------------------------------------------------------------

CPU0_END = '\t\t\ttessera,hart = <1>;\n\t\t};\n'


@pytest.mark.parametrize("extra, needle, message", [
    ("\t\tcpu@1 {\n\t\t\treg = <1>;\n\t\t\tcompatible = \"riscv\";\n\t\t};\n", "cpu@1 {",
     'cpu@1 has no device_type = "cpu": the partition has no hart for it (1 hart(s)'),
    ("\t\tcpu@1 {\n\t\t\tdevice_type = \"cpu\";\n\t\t\treg = <1>;\n\t\t\t"
     'status = "disabled";\n\t\t\ttessera,hart = <2>;\n\t\t};\n', 'status = "disabled"',
     "the cpu is disabled, but it still takes a physical hart: the guest sees fewer cpus "
     "than the partition's 2 hart(s)"),
])
def test_cpu_nodes_that_are_not_harts(tmp_path, extra, needle, message):
    guest = guest_dts()
    assert CPU0_END in guest
    guest = guest.replace(CPU0_END, CPU0_END + extra)
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    result = rejected(tmp_path, scenario, "CFG-HART-006", "alpha.dts", needle, "/cpus/cpu@1")
    assert message in result.stderr


def test_cpu_map_is_not_a_cpu(tmp_path):
    cpu_map = "\t\tcpu-map {\n\t\t\tcluster0 {\n\t\t\t};\n\t\t};\n"
    guest = guest_dts(harts=((0, 1), (1, 2))).replace("\t\tcpu@0 {", cpu_map + "\t\tcpu@0 {")
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    result = generate(scenario, tmp_path / "out")
    assert result.returncode == 0, result.stderr
