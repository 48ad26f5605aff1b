"""The Make-syntax depfile: the header depends on every file cfggen read."""

import os


def render_depfile(config, out_dir):
    target = _escape(os.path.join(os.path.abspath(out_dir), "tessera_scenario.hpp"))
    lines = [f"{target}:"] + [f"  {_escape(path)}" for path in config.inputs]
    return " \\\n".join(lines) + "\n"


def _escape(path):
    return path.replace("$", "$$").replace("#", "\\#").replace(" ", "\\ ")
