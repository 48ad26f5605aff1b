"""Source positions of nodes and properties, read from `dtc -O dts -T -T` output."""

import re

from diagnostics import SourcePos

# "<code> /* file:line:col-line:col[, more positions] */"
_ANNOTATED = re.compile(r"^(?P<code>.*?)\s*/\* (?P<where>[^*]*) \*/\s*$")
_POSITION = re.compile(r"^(?P<file>.+):(?P<line>\d+):\d+-\d+:\d+$")
_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:$")


class SourceMap:
    """Maps a node path, or a (node path, property) pair, to where it was written."""

    def __init__(self):
        self.nodes = {}
        self.props = {}

    def node(self, path):
        return self.nodes.get(path)

    def prop(self, path, name):
        return self.props.get((path, name))


def parse_annotated(text):
    """Build a SourceMap from dtc's annotated DTS text."""
    source_map = SourceMap()
    stack = []  # paths of the open nodes
    for raw in text.splitlines():
        match = _ANNOTATED.match(raw.strip())
        code = (match["code"] if match else raw).strip()
        pos = _first_position(match["where"]) if match else None
        if code.endswith("{"):
            name = _strip_labels(code[:-1].strip())
            path = _child_path(stack[-1], name) if stack else "/"
            stack.append(path)
            if pos:
                source_map.nodes.setdefault(path, pos)
        elif code.startswith("}"):
            if stack:
                stack.pop()
        elif stack and code.endswith(";"):
            name = _strip_labels(code[:-1]).split("=", 1)[0].strip()
            if pos and name:
                source_map.props.setdefault((stack[-1], name), pos)
    return source_map


def _first_position(where):
    match = _POSITION.match(where.split(", ")[0])
    return SourcePos(match["file"], int(match["line"])) if match else None


def _strip_labels(code):
    words = code.split()
    while len(words) > 1 and _LABEL.match(words[0]):
        words.pop(0)
    return " ".join(words)


def _child_path(parent, name):
    return f"/{name}" if parent == "/" else f"{parent}/{name}"
