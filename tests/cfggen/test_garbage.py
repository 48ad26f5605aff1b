"""Malformed input ends in rule errors (exit 1, "error: ["), never in a traceback."""

import shutil

import pytest

from cfgtest import (PLATFORM_ROOT, code, generate, guest_dts, make_elf, run_cfggen,
                     stale_out_dir, write_config)


def assert_rule_error(result, out_dir, rule_id=None):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "error: [" in result.stderr
    if rule_id:
        assert f"[{rule_id}]" in result.stderr, result.stderr
    assert not out_dir.exists()


@pytest.mark.parametrize("edit, rule_id", [
    # reg with 2 cells where #address-cells + #size-cells = 4
    (lambda t: t.replace("reg = <0x0 0x80000000 0x0 0x4000000>", "reg = <0x80000000 0x4000000>"),
     "CFG-DT-004"),
    # a string where cells are expected
    (lambda t: t.replace("tessera,host-address = <0x0 0x88000000>",
                         'tessera,host-address = "0x88000000"'), "CFG-DT-002"),
    (lambda t: t.replace("tessera,hart = <1>", 'tessera,hart = "one", "two"'), "CFG-DT-002"),
    # cells where a string is expected
    (lambda t: t.replace('tessera,image = "alpha.elf"', "tessera,image = <1 2>"), "CFG-DT-002"),
    (lambda t: t.replace('tessera,name = "alpha"', "tessera,name = [00 01 02]"), "CFG-DT-002"),
    # wrong cell counts
    (lambda t: t.replace("#address-cells = <2>", "#address-cells = <3>", 1), "CFG-DT-002"),
    (lambda t: t.replace("reg = <0>", "reg = <0 1>"), "CFG-DT-002"),
    (lambda t: t.replace('tessera,image = "alpha.elf";',
                         'tessera,image = "alpha.elf";\n\ttessera,entry = <0x80000000>;'),
     "CFG-DT-002"),
    (lambda t: t.replace("tessera,host-address = <0x0 0x88000000>",
                         "tessera,host-address = <0x0 0x88000000 0x0>"), "CFG-DT-002"),
    # empty and bogus values
    (lambda t: t.replace("reg = <0x0 0x80000000 0x0 0x4000000>", "reg"), "CFG-DT-002"),
    (lambda t: t.replace("tessera,hart = <1>", "tessera,hart"), "CFG-DT-002"),
    (lambda t: t.replace("reg = <0>", 'reg = "zero"'), None),
    (lambda t: t.replace("memory@80000000 {", "memory@80000000 {\n\t\ttessera,passthrough = <1>;"),
     "CFG-DT-002"),
    (lambda t: t.replace('tessera,image = "alpha.elf"', 'tessera,image = "${nope}/a.elf"'),
     "CFG-IMG-001"),
    (lambda t: t.replace("/ {", "/ {\n\t/ {", 1), "CFG-DT-001"),
])
def test_malformed_guest(tmp_path, edit, rule_id):
    scenario = write_config(tmp_path, {"alpha.dts": edit(guest_dts())})
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out), out, rule_id)


@pytest.mark.parametrize("content", [
    b"\x7fELF",                                  # truncated header
    b"\x7fELF" + bytes(60),                      # ELF32 class byte 0
    b"",                                         # empty: flat, but no load-address either
])
def test_malformed_image(tmp_path, content):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, images=False)
    (tmp_path / "alpha.elf").write_bytes(content)
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out), out, "CFG-IMG-002")


def test_elf_with_segments_past_the_end(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, images=False)
    elf = make_elf(tmp_path / "alpha.elf", [(0x80000000, code(0x100), 0x100)], 0x80000000)
    elf.write_bytes(elf.read_bytes()[:-0x80])
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out), out, "CFG-IMG-002")


def test_elf_without_load_segments(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, images=False)
    make_elf(tmp_path / "alpha.elf", [], 0x80000000)
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out), out, "CFG-IMG-002")


def test_image_is_a_directory(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()}, images=False)
    (tmp_path / "alpha.elf").mkdir()
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out), out, "CFG-IMG-001")


def test_unreadable_image(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    (tmp_path / "alpha.elf").chmod(0)
    try:
        with open(tmp_path / "alpha.elf", "rb"):
            pytest.skip("running as a user who can read mode-000 files")
    except PermissionError:
        pass
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out), out, "CFG-IMG-001")


@pytest.mark.parametrize("scenario_text, rule_id", [
    ("/dts-v1/;\n/ { compatible = \"tessera,scenario\"; tessera,platform = \"qemu-virt\";"
     " tessera,partitions = <1 2>; };\n", "CFG-SCN-001"),
    ("/dts-v1/;\n/ { compatible = \"tessera,scenario\"; tessera,platform = <1>;"
     " tessera,partitions = \"alpha.dts\"; };\n", "CFG-SCN-001"),
    ("/dts-v1/;\n/ { compatible = \"tessera,scenario\"; tessera,platform = \"../..\";"
     " tessera,partitions = \"alpha.dts\"; };\n", "CFG-SCN-001"),
    ("/dts-v1/;\n/ { compatible = \"tessera,scenario\"; tessera,platform = \"qemu-virt\"; };\n",
     "CFG-SCN-001"),
    ("\x00\x01\x02 binary garbage", "CFG-DT-001"),
    ("/dts-v1/;\n/include/ \"nowhere.dtsi\"\n", "CFG-DT-001"),
])
def test_malformed_scenario(tmp_path, scenario_text, rule_id):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    scenario.write_text(scenario_text)
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out), out, rule_id)


def test_scenario_file_missing(tmp_path):
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(tmp_path / "nothing.scenario.dts", out), out, "CFG-SCN-001")


@pytest.mark.parametrize("old, new, rule_id", [
    ("timebase-frequency = <10000000>;", 'timebase-frequency = "fast";', "CFG-DT-002"),
    ('stdout-path = "/soc/serial@10000000";', "stdout-path = <1>;", "CFG-DT-002"),
    ('stdout-path = "/soc/serial@10000000";', 'stdout-path = "/nowhere";', "CFG-PLAT-001"),
    ("reg = <0x0 0x80200000 0x0 0x3e00000>;", "reg = <0x0 0x80200000>;", "CFG-DT-004"),
    ("reg = <0x0 0x80200000 0x0 0x3e00000>;", "reg = <0x1 0x80200000 0x0 0x3e00000>;",
     "CFG-HV-001"),
    ('device_type = "memory";', "", "CFG-HV-001"),
    # a hart id that would size the runtime's per-hart tables for 2^31 harts
    ("reg = <1>;\n\t\t\tstatus", "reg = <0x7fffffff>;\n\t\t\tstatus", "CFG-PLAT-001"),
])
def test_malformed_host(tmp_path, old, new, rule_id):
    root = tmp_path / "platforms"
    shutil.copytree(PLATFORM_ROOT / "qemu-virt", root / "qemu-virt")
    host = root / "qemu-virt" / "host.dts"
    assert old in host.read_text()
    host.write_text(host.read_text().replace(old, new, 1))
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts()})
    out = stale_out_dir(tmp_path)
    assert_rule_error(generate(scenario, out, platform_root=root), out, rule_id)


def test_no_traceback_for_bad_arguments(tmp_path):
    result = run_cfggen("generate", "--scenario", "x.dts", cwd=tmp_path)  # no --out
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
