"""Bad configurations: each is rejected with the right rule, place and node, and no output."""

import shutil

from cfgtest import (MiB, PLATFORM_ROOT, assert_rejected, cells64, default_image, generate,
                     guest_dts, line_of, make_elf, code, run_cfggen, stale_out_dir,
                     write_config)

BETA_MEMORY = ((0x80000000, 64 * MiB, 0x90000000),)


def two_partitions(tmp_path, beta_harts=((0, 2),), beta_memory=BETA_MEMORY, beta_name="beta",
                   beta_nodes="", alpha_nodes=""):
    return write_config(tmp_path, {
        "alpha.dts": guest_dts("alpha", nodes=alpha_nodes),
        "beta.dts": guest_dts(beta_name, image="beta.elf", harts=beta_harts,
                              memory=beta_memory, nodes=beta_nodes),
    })


def test_hart_in_two_partitions(tmp_path):
    scenario = two_partitions(tmp_path, beta_harts=((0, 1),))
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-HART-003", "beta.dts",
                    line_of(tmp_path / "beta.dts", "tessera,hart = <1>"), "/cpus/cpu@0")
    assert 'already used by /cpus/cpu@0 of partition "alpha"' in result.stderr


def test_hart_twice_in_one_partition(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(harts=((0, 1), (1, 1)))})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-HART-003", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,hart = <1>", occurrence=2),
                    "/cpus/cpu@1")


def test_hart_not_in_host(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(harts=((0, 7),))})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-HART-002", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,hart = <7>"), "/cpus/cpu@0")


def test_missing_tessera_hart(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(harts=((0, None),))})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-HART-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "cpu@0 {"), "/cpus/cpu@0")


def test_virtual_hart_ids_with_a_gap(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(harts=((0, 1), (2, 2)))})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-HART-004", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "reg = <2>"), "/cpus/cpu@2")


def test_ram_outside_host_ram(tmp_path):
    memory = ((0x80000000, 64 * MiB, 0xC0000000),)  # host RAM ends at 0xc0000000
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(memory=memory)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-MEM-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,host-address"), "/memory@80000000")


def test_identity_ram_outside_host_ram_points_at_reg(tmp_path):
    memory = ((0x100000000, 64 * MiB, None),)
    guest = guest_dts(memory=memory)
    scenario = write_config(tmp_path, {"alpha.dts": guest}, images=False)
    default_image(tmp_path, "alpha", base=0x100000000)
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-MEM-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "reg = <0x1 0x0"), "/memory@100000000")


def test_ram_overlapping_the_hypervisor(tmp_path):
    memory = ((0x80000000, 64 * MiB, 0x83000000),)
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(memory=memory)})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-MEM-002", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,host-address"), "/memory@80000000")
    assert "/reserved-memory/hypervisor@80200000" in result.stderr


def test_ram_overlap_between_partitions(tmp_path):
    scenario = two_partitions(tmp_path, beta_memory=((0x80000000, 64 * MiB, 0x8A000000),))
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-MEM-003", "beta.dts",
                    line_of(tmp_path / "beta.dts", "tessera,host-address"), "/memory@80000000")
    assert 'partition "alpha"' in result.stderr


def test_guest_physical_overlap_within_a_partition(tmp_path):
    memory = ((0x80000000, 64 * MiB, 0x88000000), (0x82000000, 64 * MiB, 0x90000000))
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(memory=memory)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-MEM-003", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "reg = <0x0 0x82000000"),
                    "/memory@82000000")


def test_misaligned_ram(tmp_path):
    memory = ((0x80000000, 64 * MiB + 0x800, 0x88000000),)
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(memory=memory)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-MEM-004", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "reg = <0x0 0x80000000"), "/memory@80000000")


def test_guest_without_memory(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(memory=())})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-MEM-005", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "/ {"), "/")


PASSTHROUGH_RTC = ("\n\trtc@101000 {\n"
                   "\t\treg = <0x0 0x101000 0x0 0x1000>;\n"
                   '\t\ttessera,passthrough = "/soc/rtc@101000";\n'
                   "\t};\n")


def test_passthrough_node_missing_in_host(tmp_path):
    nodes = ("\n\tserial@10009000 {\n"
             "\t\treg = <0x0 0x10009000 0x0 0x100>;\n"
             "\t\ttessera,passthrough;\n"
             "\t};\n")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-DEV-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,passthrough"), "/serial@10009000")


def test_passthrough_size_differs_from_host(tmp_path):
    nodes = PASSTHROUGH_RTC.replace("0x0 0x1000>", "0x0 0x2000>")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-DEV-002", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "reg = <0x0 0x101000"), "/rtc@101000")


def test_passthrough_device_in_two_partitions(tmp_path):
    scenario = two_partitions(tmp_path, alpha_nodes=PASSTHROUGH_RTC, beta_nodes=PASSTHROUGH_RTC)
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-DEV-003", "beta.dts",
                    line_of(tmp_path / "beta.dts", "tessera,passthrough"), "/rtc@101000")


def test_passthrough_overlapping_guest_ram(tmp_path):
    nodes = ("\n\trtc@80001000 {\n"
             "\t\treg = <0x0 0x80001000 0x0 0x1000>;\n"
             '\t\ttessera,passthrough = "/soc/rtc@101000";\n'
             "\t};\n")
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(nodes=nodes)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-MEM-003", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "reg = <0x0 0x80001000"), "/rtc@80001000")


def test_image_missing(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(image="missing.elf")})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-IMG-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,image"), "/")
    assert "missing.elf does not exist" in result.stderr


def test_build_variable_without_build_dir(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(image="${build}/alpha.elf")})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-IMG-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,image"), "/")


def test_flat_image_without_load_address(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(image="alpha.bin")})
    (tmp_path / "alpha.bin").write_bytes(code(0x800))
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-IMG-002", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,image"), "/")
    assert "tessera,load-address" in result.stderr


def test_elf_for_another_machine(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, images=False)
    make_elf(tmp_path / "alpha.elf", [(0x80000000, code(64), 64)], 0x80000000, machine=62)
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-IMG-002", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,image"), "/")
    assert "e_machine 62" in result.stderr


def test_segment_outside_ram(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, images=False)
    make_elf(tmp_path / "alpha.elf", [(0x80000000, code(64), 64),
                                      (0x90000000, code(64), 64)], 0x80000000)
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-IMG-003", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,image"), "/")
    assert "alpha.elf segment 1" in result.stderr


def test_dtb_overlapping_the_image(tmp_path):
    props = f"\ttessera,dtb-address = <{cells64(0x80001000)}>;"
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(root_props=props)})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-IMG-003", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,dtb-address"), "/")
    assert "guest DTB" in result.stderr


def test_entry_outside_ram(tmp_path):
    props = f"\ttessera,entry = <{cells64(0x90000000)}>;"
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(root_props=props)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-IMG-004", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,entry"), "/")


def test_elf_entry_outside_ram_points_at_image(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, images=False)
    make_elf(tmp_path / "alpha.elf", [(0x80000000, code(64), 64)], 0x70000000)
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-IMG-004", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,image"), "/")


def test_dtc_syntax_error(tmp_path):
    guest = guest_dts(root_props='\tbroken = "x" junk;')
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DT-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "junk"), None)
    assert "syntax error" in result.stderr


def test_unknown_platform(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, platform="no-such-board")
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-SCN-001", "test.scenario.dts",
                    line_of(scenario, "tessera,platform"), "/")
    assert 'unknown platform "no-such-board"' in result.stderr


def test_missing_partition_file(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    scenario.write_text(scenario.read_text().replace('"alpha.dts"', '"alpha.dts", "gone.dts"'))
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-SCN-001", "test.scenario.dts",
                    line_of(scenario, "tessera,partitions"), "/")
    assert "gone.dts" in result.stderr


def test_scenario_with_wrong_compatible(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    scenario.write_text(scenario.read_text().replace("tessera,scenario", "acme,scenario"))
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-SCN-001", "test.scenario.dts",
                    line_of(scenario, "compatible"), "/")


def test_duplicate_partition_names(tmp_path):
    scenario = two_partitions(tmp_path, beta_name="alpha")
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-NAME-001", "beta.dts",
                    line_of(tmp_path / "beta.dts", "tessera,name"), "/")


def test_invalid_default_name(tmp_path):
    scenario = write_config(tmp_path, {"Alpha.dts": guest_dts(name=None, image="Alpha.elf")})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-NAME-001", "Alpha.dts",
                    line_of(tmp_path / "Alpha.dts", "/ {"), "/")
    assert "from the file name" in result.stderr


def test_error_inside_an_included_file(tmp_path):
    (tmp_path / "ram.dtsi").write_text(
        "/ {\n\tmemory@80000000 {\n\t\tdevice_type = \"memory\";\n"
        "\t\treg = <0x0 0x80000000 0x0 0x4000000>;\n"
        "\t\ttessera,host-address = <0x0 0xc0000000>;\n\t};\n};\n")
    guest = guest_dts(memory=()) + '/include/ "ram.dtsi"\n'
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-MEM-001", "ram.dtsi",
                    line_of(tmp_path / "ram.dtsi", "tessera,host-address"), "/memory@80000000")


def test_every_violation_is_reported(tmp_path):
    memory = ((0x80000000, 64 * MiB + 0x800, 0x83000000),)
    guest = guest_dts(harts=((0, 7), (1, None)), memory=memory, image="missing.elf")
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert result.returncode == 1
    for rule_id in ("CFG-HART-002", "CFG-HART-001", "CFG-MEM-004", "CFG-MEM-002",
                    "CFG-IMG-001"):
        assert f"[{rule_id}]" in result.stderr, result.stderr
    assert not out.exists()


def test_check_command_rejects_too(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(harts=((0, 7),))})
    result = run_cfggen("check", "--scenario", scenario, "--platform-root", PLATFORM_ROOT,
                        cwd=tmp_path)
    assert result.returncode == 1
    assert "[CFG-HART-002]" in result.stderr
    assert result.stdout == ""


# --- host DT rules, with a modified copy of the real platform --------------

def custom_platform(tmp_path, edit):
    root = tmp_path / "platforms"
    shutil.copytree(PLATFORM_ROOT / "qemu-virt", root / "qemu-virt")
    host = root / "qemu-virt" / "host.dts"
    host.write_text(edit(host.read_text()))
    return root, host


def test_host_without_hypervisor_region(tmp_path):
    root, host = custom_platform(
        tmp_path, lambda text: text.replace('compatible = "tessera,hypervisor";', ""))
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out, platform_root=root)
    assert_rejected(result, out, "CFG-HV-001", "platforms/qemu-virt/host.dts",
                    line_of(host, "reserved-memory {"), "/reserved-memory")


def test_host_with_unsupported_console(tmp_path):
    root, host = custom_platform(
        tmp_path,
        lambda text: text.replace('compatible = "ns16550a";', 'compatible = "acme,uart";'))
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out, platform_root=root), out, "CFG-PLAT-001",
                    "platforms/qemu-virt/host.dts", line_of(host, '"acme,uart"'),
                    "/soc/serial@10000000")


def test_host_without_timebase(tmp_path):
    root, host = custom_platform(
        tmp_path, lambda text: text.replace("timebase-frequency = <10000000>;", ""))
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out, platform_root=root), out, "CFG-PLAT-001",
                    "platforms/qemu-virt/host.dts", line_of(host, "cpus {"), "/cpus")


def test_misspelt_tessera_property(tmp_path):
    guest = guest_dts().replace("tessera,host-address", "tessera,host-adress")
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    out = stale_out_dir(tmp_path)
    result = generate(scenario, out)
    assert_rejected(result, out, "CFG-DT-003", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,host-adress"), "/memory@80000000")
    assert 'did you mean "tessera,host-address"' in result.stderr


def test_tessera_property_on_the_wrong_node(tmp_path):
    guest = guest_dts().replace('bootargs = "console=hvc0 quiet";',
                                'bootargs = "console=hvc0 quiet";\n\t\ttessera,hart = <1>;')
    scenario = write_config(tmp_path, {"alpha.dts": guest})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-DT-003", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", "tessera,hart = <1>"), "/chosen")
