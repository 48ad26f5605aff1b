"""tessera,fault-policy and tessera,watchdog-ms (rule CFG-FLT-001)."""

import pytest

from cfgtest import (assert_rejected, generate, guest_dts, line_of, stale_out_dir,
                     write_config)


def header(out):
    return (out / "tessera_scenario.hpp").read_text()


@pytest.mark.parametrize("props, expected", [
    ("", "cfg::FaultPolicy::Stop, 0}"),
    ('\ttessera,fault-policy = "restart";\n\ttessera,watchdog-ms = <250>;',
     "cfg::FaultPolicy::Restart, 250}"),
    ('\ttessera,fault-policy = "stop";\n\ttessera,watchdog-ms = <60000>;',
     "cfg::FaultPolicy::Stop, 60000}"),
])
def test_fault_policy_and_watchdog_reach_the_tables(tmp_path, props, expected):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(root_props=props)})
    out = tmp_path / "out"
    result = generate(scenario, out)
    assert result.returncode == 0, result.stderr
    assert expected in header(out)


@pytest.mark.parametrize("props, needle", [
    ('\ttessera,fault-policy = "reboot";', 'tessera,fault-policy = "reboot"'),
    ("\ttessera,watchdog-ms = <0>;", "tessera,watchdog-ms = <0>"),
    ("\ttessera,watchdog-ms = <60001>;", "tessera,watchdog-ms = <60001>"),
])
def test_bad_fault_policy_or_watchdog_is_rejected(tmp_path, props, needle):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(root_props=props)})
    out = stale_out_dir(tmp_path)
    assert_rejected(generate(scenario, out), out, "CFG-FLT-001", "alpha.dts",
                    line_of(tmp_path / "alpha.dts", needle), "/")
