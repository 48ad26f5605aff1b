"""Rule violations: where they are, what is wrong, and how they are printed."""

import os
from dataclasses import dataclass

from rules import rule


def display_path(path):
    """`path` relative to the current directory if it is under it, else absolute."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute
    return relative


@dataclass(frozen=True)
class SourcePos:
    file: str
    line: int


@dataclass(frozen=True)
class Diagnostic:
    rule_id: str
    pos: SourcePos
    node: str  # node path, or "" when there is none (dtc syntax errors)
    message: str

    def format(self):
        subject = f"{self.node}: " if self.node else ""
        return (f"{display_path(self.pos.file)}:{self.pos.line}: error: "
                f"[{self.rule_id}] {subject}{self.message}\n"
                f"  hint: {rule(self.rule_id).hint}")


class Diagnostics:
    """Collects every violation found, in discovery order, without duplicates."""

    def __init__(self):
        self.items = []

    def report(self, rule_id, source, node, message, prop=None):
        """Report against a node (or one of its properties) of a DtSource."""
        self.report_at(rule_id, source.locate(node, prop), node, message)

    def report_at(self, rule_id, pos, node, message):
        rule(rule_id)  # unknown ids are bugs: fail loudly here, not when printing
        diagnostic = Diagnostic(rule_id, pos, node, message)
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def __bool__(self):
        return bool(self.items)

    def __len__(self):
        return len(self.items)

    def format(self):
        return "\n".join(item.format() for item in self.items)
