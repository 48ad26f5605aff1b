"""Every rule of the catalogue has a passing and a failing configuration (rule_cases.py),
and each does what it says: the passing one generates without that rule's finding, the
failing one is reported at its file, line and node with the rule's hint, and an error
leaves no output behind. cfggen runs in this process (run_in_process)."""

import pytest

from cfgtest import line_of, run_in_process, stale_out_dir
from rule_cases import CASES, build, display_name, path_of
from rules import ERROR, RULES


def test_every_rule_has_a_passing_and_a_failing_case():
    assert list(CASES) == list(RULES), "rule_cases.CASES must list RULES, in catalogue order"
    for rule_id, case in CASES.items():
        assert case.passing.what and case.failing.what, rule_id
        assert case.failing.needle, rule_id


def generate(fixture, directory):
    scenario, platform_root = build(fixture, directory)
    out = stale_out_dir(directory)
    status, _, stderr = run_in_process("generate", "--scenario", scenario, "--out", out,
                                       "--platform-root", platform_root, cwd=directory)
    return status, stderr, out


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_passes(rule_id, tmp_path):
    status, stderr, out = generate(CASES[rule_id].passing, tmp_path)
    assert status == 0, stderr
    assert f"[{rule_id}]" not in stderr
    assert f"PASS  {rule_id} " in (out / "review.txt").read_text()


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_fails(rule_id, tmp_path):
    rule, failing = RULES[rule_id], CASES[rule_id].failing
    status, stderr, out = generate(failing, tmp_path)
    line = line_of(path_of(failing, tmp_path, failing.file), failing.needle, failing.occurrence)
    where = f"{display_name(failing, failing.file)}:{line}: {rule.severity}: [{rule_id}]"
    expected = f"{where} {failing.node}: " if failing.node else f"{where} "
    assert expected in stderr, f"expected {expected!r} in:\n{stderr}"
    assert f"  hint: {rule.hint}" in stderr
    if rule.severity == ERROR:
        assert status == 1
        assert not out.exists(), "a rejected configuration must leave no output"
    else:
        assert status == 0, stderr
        assert f"WARN  {rule_id} " in (out / "review.txt").read_text()
