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
class StackInfo:
    """Frames by name (and by (source file name, name) for local functions
    that may exist in several translation units), and g++'s call edges."""
    by_name: dict = field(default_factory=dict)        # name -> [Frame]
    by_file: dict = field(default_factory=dict)        # (basename, name) -> Frame
    edges: dict = field(default_factory=dict)          # name -> set of callee names
    files: list = field(default_factory=list)

    def add(self, name, source_file, frame):
        self.by_name.setdefault(name, []).append(frame)
        self.by_file[(os.path.basename(source_file), name)] = frame

    def frame(self, name, file=""):
        """The frame of function `name`; `file` is the FILE symbol a local
        function follows in the image. None if the compiler gave none."""
        if file and (os.path.basename(file), name) in self.by_file:
            return self.by_file[(os.path.basename(file), name)]
        frames = self.by_name.get(name)
        if not frames:
            return None
        if file and len(frames) > 1:
            raise ValueError(f"{name}: frames in several files and none from {file}")
        # An inline function emitted in several objects: the same code each time.
        return max(frames, key=lambda f: f.bytes)


def _title_name(title):
    """A .ci title without the source path g++ puts before local functions."""
    return title.rsplit(":", 1)[-1] if ":" in title else title


def _title_file(title):
    return title.rsplit(":", 1)[0] if ":" in title else ""


def read_ci(info, path):
    with open(path) as f:
        for line in f:
            node = _CI_NODE.match(line)
            if node:
                title, label = node.groups()
                frame = _CI_FRAME.search(label)
                if frame:
                    source = label.split("\\n")[1] if label.count("\\n") >= 1 else path
                    info.add(_title_name(title), _title_file(title) or source.split(":")[0],
                             Frame(int(frame.group(1)), frame.group(2), path))
                continue
            edge = _CI_EDGE.match(line)
            if edge:
                source, target = edge.groups()
                info.edges.setdefault(_title_name(source), set()).add(
                    target if target == INDIRECT else _title_name(target))


def read_su(info, path):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            match = _SU_LINE.match(line.rstrip("\n"))
            if not match:
                raise ValueError(f"{path}:{number}: not a stack-usage line: {line.strip()!r}")
            source, _line, name, size, qualifier = match.groups()
            info.add(name, source, Frame(int(size), qualifier, path))


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
