"""The compiler's own figures: every function's stack frame, and (g++) its calls.

Both compilers write a `.su` file next to each object with -fstack-usage.
clang's lines name functions by their linkage (mangled) name:

    /path/file.cpp:LINE:_ZN7tessera3fooEv<TAB>48<TAB>static

g++'s .su lines give a readable signature instead, which doesn't match the
symbol table; its -fcallgraph-info=su file (`.ci`, VCG format) has the
linkage names, the same frame sizes and the calls it compiled:

    node: { title: "_ZN7tessera3fooEv" label: "void tessera::foo()\\n/path/file.cpp:3:6\\n48 bytes (static)" }
    node: { title: "/path/file.cpp:_ZN12_GLOBAL__N_13barEv" label: ... }   (a local function)
    edge: { sourcename: "_ZN7tessera3fooEv" targetname: "__indirect_call" label: "file.cpp:4:5" }

So frames come from .su with clang and from .ci with g++. A frame is
"static" (fixed size), "dynamic,bounded" (g++: varies, at most the figure) or
"dynamic" (alloca or a variable-length array: no bound, which the check
refuses).
"""
import os
import re
from dataclasses import dataclass, field

INDIRECT = "__indirect_call"
_CI_NODE = re.compile(r'^node: \{ title: "([^"]*)" label: "([^"]*)"')
_CI_EDGE = re.compile(r'^edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)"')
_CI_FRAME = re.compile(r"\\n(\d+) bytes \(([a-z,]+)\)")
_SU_LINE = re.compile(r"^(.*):(\d+):([^:\t]+)\t(\d+)\t([a-z,]+)$")


@dataclass
class Frame:
    bytes: int
    qualifier: str   # static, dynamic, dynamic,bounded
    source: str      # file the figure comes from


@dataclass
class Copy:
    """One object's copy of a function: an inline function can be emitted by
    several objects (the link keeps one), each compiled its own way."""
    name: str
    file: str        # its source file's name (local functions are told apart by it)
    frame: Frame
    calls: set = None  # g++: the callees' names (INDIRECT for an indirect call)


@dataclass
class StackInfo:
    copies: dict = field(default_factory=dict)   # name -> [Copy]
    files: list = field(default_factory=list)

    def add(self, copy):
        self.copies.setdefault(copy.name, []).append(copy)
        return copy

    def candidates(self, name, file=""):
        """The copies that can be the linked function `name`; `file` is the
        FILE symbol a local function follows in the image."""
        copies = self.copies.get(name, [])
        if file:
            same_file = [c for c in copies if c.file == os.path.basename(file)]
            if same_file:
                return same_file
        return copies


def _title_name(title):
    """A .ci title without the source path g++ puts before local functions."""
    return title.rsplit(":", 1)[-1] if ":" in title else title


def _title_file(title):
    return title.rsplit(":", 1)[0] if ":" in title else ""


def read_ci(info, path):
    by_title = {}
    with open(path) as f:
        for line in f:
            node = _CI_NODE.match(line)
            if node:
                title, label = node.groups()
                frame = _CI_FRAME.search(label)
                if frame:
                    source = label.split("\\n")[1] if label.count("\\n") >= 1 else path
                    file = os.path.basename(_title_file(title) or source.split(":")[0])
                    by_title[title] = info.add(Copy(_title_name(title), file,
                                                    Frame(int(frame.group(1)), frame.group(2), path),
                                                    set()))
                continue
            edge = _CI_EDGE.match(line)
            if edge:
                source, target = edge.groups()
                if source not in by_title:
                    raise ValueError(f"{path}: a call from {source}, which has no node before it")
                by_title[source].calls.add(target if target == INDIRECT else _title_name(target))


def read_su(info, path):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            match = _SU_LINE.match(line.rstrip("\n"))
            if not match:
                raise ValueError(f"{path}:{number}: not a stack-usage line: {line.strip()!r}")
            source, _line, name, size, qualifier = match.groups()
            info.add(Copy(name, os.path.basename(source), Frame(int(size), qualifier, path)))


def read_stack_info(directories, compiler):
    """Every .ci (g++) or .su (clang) file under `directories`."""
    info = StackInfo()
    suffix = ".ci" if compiler == "gcc" else ".su"
    for directory in directories:
        for root, _dirs, files in os.walk(directory):
            for name in sorted(files):
                if name.endswith(suffix):
                    path = os.path.join(root, name)
                    info.files.append(path)
                    (read_ci if compiler == "gcc" else read_su)(info, path)
    return info
