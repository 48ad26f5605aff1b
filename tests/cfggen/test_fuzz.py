"""Robustness: thousands of mutated DTS sources, DTBs and images of the checked-in
configurations each end in valid output or clean rule errors, never in an exception
(fuzzing.py). The seed is fixed, so every run tries the same cases; another seed or
count: TESSERA_FUZZ_SEED=N TESSERA_FUZZ_CASES=N. The figures are printed at the end of
the pytest run."""

import os

import fuzzing


def test_mutated_inputs_end_in_output_or_rule_errors():
    seed = int(os.environ.get("TESSERA_FUZZ_SEED", fuzzing.DEFAULT_SEED))
    cases = int(os.environ.get("TESSERA_FUZZ_CASES", fuzzing.DEFAULT_CASES))
    report = fuzzing.fuzz(seed, cases)
    fuzzing.REPORTS.append(report)
    failures = "\n".join(f"case {failure.index} ({failure.kind}, {failure.target}: "
                         f"{failure.mutation}): {failure.problem}"
                         for failure in report.failures[:10])
    assert not report.failures, (f"{report.summary()}\n{failures}\nreplay: /usr/bin/python3 "
                                 f"tests/cfggen/fuzzing.py --seed {seed} --cases {cases}")
    assert sum(report.kinds.values()) == cases and len(report.kinds) == 3
    assert report.outcomes.get("valid") and report.outcomes.get("rule errors")
