"""Rule violations: where they are, what is wrong, and how they are printed."""

import os
from dataclasses import dataclass

from rules import ERROR, WARNING, rule


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
    severity: str = ERROR

    def format(self):
        subject = f"{self.node}: " if self.node else ""
        return (f"{display_path(self.pos.file)}:{self.pos.line}: {self.severity}: "
                f"[{self.rule_id}] {subject}{self.message}\n"
                f"  hint: {rule(self.rule_id).hint}")


class Diagnostics:
    """Collects every violation found, in discovery order, without duplicates.

    Errors (`items`) stop generation; warnings (findings of WARNING rules) don't.
    """

    def __init__(self):
        self.items = []
        self.warnings = []

    def report(self, rule_id, source, node, message, prop=None):
        """Report against a node (or one of its properties) of a DtSource."""
        self.report_at(rule_id, source.locate(node, prop), node, message)

    def report_prop_error(self, source, error):
        """Report a props.PropError raised while decoding a node of `source`."""
        self.report(error.rule_id, source, error.node.path, error.message, error.prop)

    def report_at(self, rule_id, pos, node, message):
        if rule(rule_id).severity != ERROR:  # unknown ids are bugs: fail loudly here
            raise ValueError(f"{rule_id} is not an error rule")
        diagnostic = Diagnostic(rule_id, pos, node, message)
        if diagnostic not in self.items:
            self.items.append(diagnostic)

    def warn(self, rule_id, source, node, message, prop=None):
        """A finding of a WARNING rule; returns the Diagnostic."""
        if rule(rule_id).severity != WARNING:
            raise ValueError(f"{rule_id} is not a warning rule")
        diagnostic = Diagnostic(rule_id, source.locate(node, prop), node, message, WARNING)
        if diagnostic not in self.warnings:
            self.warnings.append(diagnostic)
        return diagnostic

    def __bool__(self):
        return bool(self.items)

    def __len__(self):
        return len(self.items)

    def format(self):
        return "\n".join(item.format() for item in self.items)

    def format_warnings(self):
        return "\n".join(item.format() for item in self.warnings)
