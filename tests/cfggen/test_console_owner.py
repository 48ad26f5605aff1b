"""tessera,console-owner: one partition may pass the console UART through (CFG-DEV-006,
CFG-CON-001), with its interrupt; without it the hypervisor keeps the console."""

from cfgtest import (assert_rejected, generate, guest_dts, line_of, stale_out_dir, uboot,
                     write_config)

CONSOLE = "/soc/serial@10000000"
OWNER_UBOOT = 'tessera,console-owner = "uboot";'
UART_PASSED = ("clock-frequency = <3686400>;",
               "clock-frequency = <3686400>;\n\t\t\ttessera,passthrough;")
ALPHA_UART = ("\n\tserial@10000000 {\n"
              '\t\tcompatible = "ns16550a";\n'
              "\t\treg = <0x0 0x10000000 0x0 0x100>;\n"
              f'\t\ttessera,passthrough = "{CONSOLE}";\n'
              "\t};\n")


def with_owner(scenario, owner_line):
    """Add `owner_line` (a tessera,console-owner property) to the scenario's root."""
    text = scenario.read_text()
    anchor = "tessera,partitions = "
    assert anchor in text
    scenario.write_text(text.replace(anchor, f"{owner_line}\n\t{anchor}", 1))
    return scenario


def header(out):
    return (out / "tessera_scenario.hpp").read_text()


def pair(tmp_path, alpha_nodes="", beta_nodes=""):
    return write_config(tmp_path, {
        "alpha.dts": guest_dts("alpha", nodes=alpha_nodes),
        "beta.dts": guest_dts("beta", harts=((0, 2),), nodes=beta_nodes,
                              memory=((0x80000000, 64 << 20, 0x90000000),))})


def test_without_an_owner_the_hypervisor_keeps_the_console(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    result = generate(scenario, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert ("inline constexpr int kConsoleOwner = -1;  // the hypervisor multiplexes the "
            "console\n") in header(tmp_path / "out")


def test_the_owner_gets_the_uart_and_its_interrupt(tmp_path):
    scenario = with_owner(uboot(tmp_path, UART_PASSED), OWNER_UBOOT)
    out = tmp_path / "out"
    result = generate(scenario, out)
    assert result.returncode == 0, result.stderr
    text = header(out)
    assert "inline constexpr int kConsoleOwner = 0;  // uboot owns the console UART by " \
           "passthrough\n" in text
    assert ("    {0x10000000, 0x10000000, 0x1000, cfg::MemKind::Mmio},  "
            f"// {CONSOLE}\n") in text
    assert ("inline constexpr cfg::IrqRoute kIrqs[] = {\n"
            "    {8, 8},  // /soc/virtio_mmio@10008000 <- host /soc/virtio_mmio@10008000\n"
            f"    {{10, 10}},  // {CONSOLE} <- host {CONSOLE}\n"
            "};\n") in text
    assert "cfg::EmulatedKind::Ns16550" not in text  # the UART is no longer emulated


def test_the_owner_may_poll_the_uart_without_its_interrupt(tmp_path):
    scenario = with_owner(uboot(tmp_path, UART_PASSED,
                                ("\t\t\tinterrupt-parent = <&plic>;\n\t\t\tinterrupts = <10>;\n",
                                 "")), OWNER_UBOOT)
    out = tmp_path / "out"
    result = generate(scenario, out)
    assert result.returncode == 0, result.stderr
    assert "inline constexpr int kConsoleOwner = 0;" in header(out)
    assert f"{{10, 10}},  // {CONSOLE}" not in header(out)


def test_the_console_is_refused_to_a_partition_the_scenario_does_not_name(tmp_path):
    scenario = with_owner(pair(tmp_path, alpha_nodes=ALPHA_UART), 'tessera,console-owner = "beta";')
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DEV-006", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,passthrough"), "/serial@10000000")
    assert (f'host {CONSOLE} is the hypervisor console: the scenario gives it to partition '
            f'"beta" (tessera,console-owner)') in result.stderr
    # and beta, named, doesn't pass it through
    assert_rejected(result, out, "CFG-CON-001", "test.scenario.dts",
                    line_of(scenario, "tessera,console-owner"), "/")
    assert f'partition "beta" does not pass the console {CONSOLE} through' in result.stderr
    assert "tessera,console-owner" in result.stderr.split("[CFG-DEV-006]")[1].split("hint:")[1]


def test_without_an_owner_the_console_is_refused(tmp_path):
    scenario = pair(tmp_path, alpha_nodes=ALPHA_UART)
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DEV-006", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,passthrough"), "/serial@10000000")
    assert "the hypervisor owns it and multiplexes it for every partition (the scenario has " \
           "no tessera,console-owner)" in result.stderr
    assert "CFG-CON-001" not in result.stderr


def test_two_partitions_cannot_both_have_the_console(tmp_path):
    scenario = with_owner(pair(tmp_path, alpha_nodes=ALPHA_UART, beta_nodes=ALPHA_UART),
                          'tessera,console-owner = "alpha";')
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DEV-006", "beta.dts",
                    line_of(tmp_path / "beta.dts", "tessera,passthrough"), "/serial@10000000")
    assert "CFG-CON-001" not in result.stderr and "[CFG-DEV-006] " in result.stderr
    assert result.stderr.count("error: [") == 1, result.stderr


def test_an_owner_that_is_no_partition(tmp_path):
    scenario = with_owner(pair(tmp_path), 'tessera,console-owner = "gamma";')
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-CON-001", "test.scenario.dts",
                    line_of(scenario, "tessera,console-owner"), "/")
    assert ('tessera,console-owner names "gamma", which is not a partition of this scenario '
            '(partitions: "alpha", "beta")') in result.stderr


def test_a_malformed_owner(tmp_path):
    scenario = with_owner(pair(tmp_path), "tessera,console-owner = <1>;")
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DT-002", "test.scenario.dts",
                    line_of(scenario, "tessera,console-owner"), "/")


def test_a_misspelt_scenario_property_is_reported(tmp_path):
    """CFG-DT-003 covers the scenario file too: tessera,console-owners would otherwise be
    ignored and the hypervisor would keep the console without a word."""
    scenario = with_owner(pair(tmp_path), 'tessera,console-owners = "alpha";')
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DT-003", "test.scenario.dts",
                    line_of(scenario, "tessera,console-owners"), "/")
    assert ('unknown scenario property tessera,console-owners '
            '(did you mean "tessera,console-owner"?)') in result.stderr
