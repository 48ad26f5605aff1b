"""Makes tools/cfggen importable and the shared helpers available to every test."""

import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "cfggen"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter):
    """The fuzzing figures (seed, cases, time), whatever the verbosity."""
    fuzzing = sys.modules.get("fuzzing")
    for report in getattr(fuzzing, "REPORTS", ()):
        terminalreporter.write_line(report.summary())
