"""What a guest may be given: never the hypervisor's devices (CFG-DEV-006), never a page
shared with another device (CFG-DEV-007); and a host DT whose every device cfggen can
classify (CFG-PLAT-002)."""

import pytest

from cfgtest import (PLATFORM_ROOT, assert_rejected, cells64, generate, guest_dts, line_of,
                     stale_out_dir, write_config)

HOST_ANCHOR = "\t\tvirtio0: virtio_mmio@10001000 {"


def platform_with(tmp_path, nodes):
    """qemu-virt with `nodes` added to its /soc; returns (platform root, host.dts)."""
    root = tmp_path / "platforms"
    (root / "qemu-virt").mkdir(parents=True)
    text = (PLATFORM_ROOT / "qemu-virt" / "host.dts").read_text()
    assert HOST_ANCHOR in text
    host = root / "qemu-virt" / "host.dts"
    host.write_text(text.replace(HOST_ANCHOR, nodes + "\n" + HOST_ANCHOR))
    return root, host


def passthrough_node(name, address, size, host_path):
    return (f"\n\t{name}@{address:x} {{\n"
            f"\t\treg = <{cells64(address)} {cells64(size)}>;\n"
            f'\t\ttessera,passthrough = "{host_path}";\n'
            "\t};\n")


def host_uart(address, size=0x100):
    return (f"\t\tserial@{address:x} {{\n"
            '\t\t\tcompatible = "ns16550a";\n'
            f"\t\t\treg = <{cells64(address)} {cells64(size)}>;\n"
            "\t\t};\n")


# --- CFG-DEV-006 ---------------------------------------------------------------

@pytest.mark.parametrize("host_path, address, size, reason", [
    ("/soc/plic@c000000", 0xC000000, 0x600000, "the host's SiFive/RISC-V platform-level "
                                               "interrupt controller (bindings/plic.yaml)"),
    ("/soc/clint@2000000", 0x2000000, 0x10000, "the host's RISC-V core-local interruptor "
                                               "(CLINT) (bindings/clint.yaml)"),
    ("/soc/serial@10000000", 0x10000000, 0x100, "the hypervisor console"),
    ("/soc/test@100000", 0x100000, 0x1000, "the power-off device"),
])
def test_hypervisor_device_passed_through(tmp_path, host_path, address, size, reason):
    nodes = passthrough_node("dev", address, size, host_path)
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DEV-006", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,passthrough"), f"/dev@{address:x}")
    assert f"host {host_path} is {reason}: the hypervisor owns it" in result.stderr
    assert "CFG-IRQ" not in result.stderr  # its interrupts are not looked at any further


def test_uart_that_is_not_the_console_may_be_passed_through(tmp_path):
    root, _ = platform_with(tmp_path, host_uart(0x10010000))
    nodes = passthrough_node("uart", 0x10010000, 0x100, "/soc/serial@10010000")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    result = generate(scenario, tmp_path / "out", platform_root=root)
    assert result.returncode == 0, result.stderr


# --- CFG-DEV-007 ---------------------------------------------------------------

def test_passthrough_page_shared_with_another_device(tmp_path):
    root, _ = platform_with(tmp_path, host_uart(0x10010000) + host_uart(0x10010100))
    nodes = passthrough_node("uart", 0x10010000, 0x100, "/soc/serial@10010000")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out, platform_root=root)
    assert_rejected(result, out, "CFG-DEV-007", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "reg = <0x0 0x10010000"), "/uart@10010000")
    assert ("reg[0] maps host [0x10010000, 0x10011000) (whole 4 KiB pages), which also holds "
            "host device /soc/serial@10010100 [0x10010100, 0x10010200)") in result.stderr


# --- CFG-PLAT-002 --------------------------------------------------------------

WIDGET = ("\t\twidget@10020000 {\n"
          '\t\t\tcompatible = "acme,widget";\n'
          "\t\t\treg = <0x0 0x10020000 0x0 0x1000>;\n"
          "\t\t};\n")
APLIC = ("\t\taplic@d000000 {\n"
         '\t\t\tcompatible = "riscv,aplic";\n'
         "\t\t\treg = <0x0 0xd000000 0x0 0x8000>;\n"
         "\t\t\tinterrupt-controller;\n"
         "\t\t\t#interrupt-cells = <2>;\n"
         "\t\t};\n")


@pytest.mark.parametrize("nodes, needle, node, message", [
    (WIDGET, '"acme,widget"', "/soc/widget@10020000",
     "device (compatible acme,widget) has no binding in tools/cfggen/bindings"),
    (APLIC, '"riscv,aplic"', "/soc/aplic@d000000",
     "RISC-V advanced platform-level interrupt controller (APLIC) (riscv,aplic) is not "
     "supported: the runtime has no driver for it (bindings/aplic.yaml)"),
])
def test_host_device_without_support(tmp_path, nodes, needle, node, message):
    root, host = platform_with(tmp_path, nodes)
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out, platform_root=root)
    assert_rejected(result, out, "CFG-PLAT-002", "platforms/qemu-virt/host.dts",
                    line_of(host, needle), node)
    assert message in result.stderr


def test_disabled_host_device_needs_no_binding(tmp_path):
    disabled = WIDGET.replace('"acme,widget";', '"acme,widget";\n\t\t\tstatus = "disabled";')
    root, _ = platform_with(tmp_path, disabled)
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    result = generate(scenario, tmp_path / "out", platform_root=root)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("platform", ["qemu-virt", "fpga-rocket"])
def test_every_device_of_the_real_platforms_has_a_binding(tmp_path, platform):
    memory = ((0x80000000, 16 << 20, 0x84000000),)
    guest = guest_dts(memory=memory)
    if platform == "fpga-rocket":
        guest = guest.replace("timebase-frequency = <10000000>;",
                              "timebase-frequency = <1000000>;")
    scenario = write_config(tmp_path, {"alpha.dts": guest}, platform=platform)
    result = generate(scenario, tmp_path / "out")
    assert result.returncode == 0, result.stderr
