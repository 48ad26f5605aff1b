"""The translation units the static analysis covers, as the firmware builds them.

The clang firmware build (<build>/firmware-clang) exports its compile
commands (CMAKE_EXPORT_COMPILE_COMMANDS, cmake/firmware.cmake): the exact
flags of the freestanding riscv64 code, --target=riscv64-linux-gnu,
-march=rv64imac -mabi=lp64, -ffreestanding -fno-exceptions -fno-rtti and the
include paths. Both tools analyse those commands:

- every C++ source under core/ and platform/ (assembly is out of scope);
- the scenario-specific sources (core/scenario/*.cpp) once, compiled
  against the generated header of scenario `hello` (QEMU virt: the NS16550
  console and the SiFive test finisher), and core/scenario/platform_binding.cpp,
  where the board's drivers are chosen, once more against `rocket-hello`'s
  (the Rocket FPGA: the SiFive UART driver), so that both platforms' drivers
  are analysed as the images instantiate them.

The generated header itself is not the project's code: the tools keep it out
of the findings (clang-tidy's header filter, a cppcheck suppression).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

SCENARIO_DIR = "core/scenario"
# Scenario sources are analysed with this scenario's generated header ...
PRIMARY_SCENARIO = "hello"
# ... and these also with the other platforms' scenarios.
PER_PLATFORM = {"core/scenario/platform_binding.cpp": ["rocket-hello"]}
ANALYSED_DIRS = ("core", "platform")


class SelectionError(Exception):
    """The compile database doesn't have what the analysis must cover."""


@dataclass(frozen=True)
class Unit:
    source: Path        # absolute path of the .cpp
    scenario: str       # the scenario whose generated header it sees, "" if none
    entry: dict         # its compile_commands.json entry

    def label(self, root: Path) -> str:
        name = str(self.source.relative_to(root))
        return f"{name} ({self.scenario})" if self.scenario else name


def scenario_of(entry: dict) -> str:
    """The scenario whose generated directory is on the include path, "" if none."""
    words = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
    for word in words:
        path = word[2:] if word.startswith("-I") else word
        parts = Path(path).parts
        if len(parts) >= 3 and parts[-1] == "generated" and parts[-3] == "scenarios":
            return parts[-2]
    return ""


def expected_sources(root: Path) -> set[Path]:
    """Every C++ source file of the analysed directories."""
    return {path.resolve() for directory in ANALYSED_DIRS
            for path in (root / directory).rglob("*.cpp")}


def select(root: Path, firmware_build: Path) -> list[Unit]:
    """The units to analyse; SelectionError if any expected one is missing."""
    database = firmware_build / "compile_commands.json"
    if not database.is_file():
        raise SelectionError(f"{database} is missing: build the clang firmware first "
                             "(./tessera build), which exports it")
    root = root.resolve()
    wanted_scenarios: dict[Path, list[str]] = {}
    units: list[Unit] = []
    seen: set[tuple[Path, str]] = set()
    for entry in json.loads(database.read_text()):
        source = (Path(entry["directory"]) / entry["file"]).resolve()
        if source.suffix != ".cpp":
            continue
        try:
            relative = source.relative_to(root)
        except ValueError:
            continue
        if relative.parts[0] not in ANALYSED_DIRS:
            continue
        scenario = scenario_of(entry)
        if str(relative.parent) == SCENARIO_DIR:
            wanted = [PRIMARY_SCENARIO] + PER_PLATFORM.get(str(relative), [])
            wanted_scenarios[source] = wanted
            if scenario not in wanted:
                continue
        if (source, scenario) in seen:
            continue
        seen.add((source, scenario))
        units.append(Unit(source, scenario, entry))

    missing = [str(path.relative_to(root)) for path in sorted(expected_sources(root))
               if not any(unit.source == path for unit in units)]
    for source, scenarios in wanted_scenarios.items():
        missing += [f"{source.relative_to(root)} with scenario {name}" for name in scenarios
                    if (source, name) not in seen]
    if missing:
        raise SelectionError(f"not in {database}: " + ", ".join(missing))
    return sorted(units, key=lambda unit: (str(unit.source), unit.scenario))
