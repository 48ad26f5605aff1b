"""CFG-NAME-001: partition names are valid identifiers and unique in the scenario."""

import re

from diagnostics import display_path

NAME = re.compile(r"[a-z][a-z0-9_-]{0,15}")


def check_names(guests, diags):
    seen = {}
    for guest in guests:
        prop = "tessera,name" if "tessera,name" in guest.source.root.props else None
        origin = "" if prop else " (from the file name; set tessera,name)"
        if not NAME.fullmatch(guest.name):
            diags.report("CFG-NAME-001", guest.source, "/",
                         f'partition name "{guest.name}"{origin} does not match '
                         f"[a-z][a-z0-9_-]{{0,15}}", prop)
        elif guest.name in seen:
            diags.report("CFG-NAME-001", guest.source, "/",
                         f'partition name "{guest.name}"{origin} is already used by '
                         f"{display_path(seen[guest.name])}", prop)
        else:
            seen[guest.name] = guest.path
