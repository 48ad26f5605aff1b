"""A compiled DTS file: its tree, its DTB, its includes and where each node came from."""

import os
from dataclasses import dataclass, field

import dtc
from diagnostics import SourcePos
from fdtree import Node, TreeError, read_tree
from srcmap import SourceMap, parse_annotated


@dataclass
class DtSource:
    path: str            # absolute path of the .dts file
    root: Node
    dtb: bytes
    includes: list = field(default_factory=list)  # absolute /include/d files
    source_map: SourceMap = field(default_factory=SourceMap)

    def find(self, path):
        return self.root.find(path)

    def locate(self, node_path, prop=None):
        """Where a property (else its node, else the closest ancestor) was written."""
        pos = self.source_map.prop(node_path, prop) if prop else None
        path = node_path or "/"
        while pos is None:
            pos = self.source_map.node(path)
            if path == "/":
                break
            path = path.rsplit("/", 1)[0] or "/"
        return pos or SourcePos(self.path, 1)


def load_dts(path, diags):
    """Compile `path`; on failure report CFG-DT-001 and return None."""
    path = os.path.abspath(path)
    try:
        dtb, includes = dtc.compile_dts(path)
        source_map = parse_annotated(dtc.annotate_dts(path))
        root = read_tree(dtb)
    except dtc.DtcFailed as failure:
        for message in failure.messages:
            diags.report_at("CFG-DT-001", SourcePos(message.file, message.line), "",
                            f"dtc: {message.text}")
        return None
    except TreeError as error:
        diags.report_at("CFG-DT-001", SourcePos(path, 1), "", f"unreadable DTB: {error}")
        return None
    return DtSource(path, root, dtb, includes, source_map)
