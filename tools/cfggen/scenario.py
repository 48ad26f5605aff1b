"""The scenario DTS: name, platform and the guest DTS files of its partitions."""

import difflib
import os
import re
from dataclasses import dataclass, field

import props
from dtsource import load_dts

_PLATFORM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class Scenario:
    path: str
    name: str
    source: object               # DtSource
    platform: str = None
    host_dts: str = None         # <platform root>/<platform>/host.dts when it exists
    guest_paths: list = field(default_factory=list)
    console_colour: bool = False  # tessera,console-colour: ANSI colours on line prefixes
    console_owner: str = None     # tessera,console-owner: the partition given the console UART


def scenario_name(path):
    base = os.path.basename(path)
    for suffix in (".scenario.dts", ".dts"):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[:-len(suffix)]
    return base


def read_scenario(path, platform_root, diags):
    """The Scenario, or None when the file does not even compile (CFG-DT-001)."""
    source = load_dts(path, diags)
    if source is None:
        return None
    scenario = Scenario(source.path, scenario_name(path), source)
    root = source.root
    try:
        if "tessera,scenario" not in (props.strings(root, "compatible") or []):
            _error(diags, source, 'compatible must contain "tessera,scenario"', "compatible")
    except props.PropError as error:
        _error(diags, source, error.message, "compatible")
    scenario.platform, scenario.host_dts = _read_platform(source, platform_root, diags)
    scenario.guest_paths = _read_partitions(source, diags)
    scenario.console_colour = "tessera,console-colour" in root.props
    scenario.console_owner = _read_console_owner(source, diags)
    _check_unknown_props(source, diags)
    return scenario


SCENARIO_PROPS = ("tessera,platform", "tessera,partitions", "tessera,console-colour",
                  "tessera,console-owner")


def _check_unknown_props(source, diags):
    """CFG-DT-003 for the scenario file: a misspelt property would change nothing."""
    for node in source.root.walk():
        known = SCENARIO_PROPS if node.parent is None else ()
        for name in node.props:
            if name.startswith("tessera,") and name not in known:
                close = difflib.get_close_matches(name, SCENARIO_PROPS, n=1)
                suggestion = f' (did you mean "{close[0]}"?)' if close else ""
                diags.report("CFG-DT-003", source, node.path,
                             f"unknown scenario property {name}{suggestion}", name)


def _read_console_owner(source, diags):
    """tessera,console-owner: a partition name (checked by check_console), or None."""
    try:
        return props.string(source.root, "tessera,console-owner")
    except props.PropError as error:
        diags.report_prop_error(source, error)
        return None


def _read_platform(source, platform_root, diags):
    try:
        platform = props.string(source.root, "tessera,platform")
    except props.PropError as error:
        _error(diags, source, error.message, "tessera,platform")
        return None, None
    if platform is None:
        _error(diags, source, 'tessera,platform = "<name>" is missing')
        return None, None
    if not _PLATFORM_NAME.fullmatch(platform):
        _error(diags, source, f'platform name "{platform}" is not a directory name',
               "tessera,platform")
        return platform, None
    host_dts = os.path.join(os.path.abspath(platform_root), platform, "host.dts")
    if not os.path.isfile(host_dts):
        _error(diags, source, f'unknown platform "{platform}": no {host_dts}',
               "tessera,platform")
        return platform, None
    return platform, host_dts


def _read_partitions(source, diags):
    try:
        names = props.strings(source.root, "tessera,partitions")
    except props.PropError as error:
        _error(diags, source, error.message, "tessera,partitions")
        return []
    if not names:
        _error(diags, source, 'tessera,partitions = "guest.dts", ... is missing or empty')
        return []
    base = os.path.dirname(source.path)
    paths = []
    for name in names:
        path = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(path):
            paths.append(path)
        else:
            _error(diags, source, f'partition file "{name}" does not exist ({path})',
                   "tessera,partitions")
    return paths


def _error(diags, source, message, prop=None):
    diags.report("CFG-SCN-001", source, "/", message, prop)
