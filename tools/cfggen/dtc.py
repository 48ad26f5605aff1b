"""Running dtc: a DTS compiled to a DTB, its /include/d files, its annotated text."""

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass

DTC = "dtc"

# "Error: f.dts:4.2-3 syntax error", "f.dts:2.3-4.3: ERROR (check): /: text"
_LOCATED = re.compile(
    r"^(?:Error: |Warning: )?(?P<file>.+?):(?P<line>\d+)\.\d+(?:-[\d.]+)?:?\s+(?P<text>.*)$")
_SUMMARIES = (
    "FATAL ERROR: Unable to parse input tree",
    "ERROR: Input tree has errors",
)
_CANNOT_OPEN = re.compile(r'Couldn\'t open "(?P<name>[^"]+)"')


@dataclass(frozen=True)
class DtcMessage:
    file: str
    line: int
    text: str


class DtcFailed(Exception):
    """dtc rejected the source; `messages` are its errors, located."""

    def __init__(self, messages):
        super().__init__("; ".join(m.text for m in messages))
        self.messages = messages


def compile_dts(path):
    """Compile `path` (absolute). Returns (dtb bytes, included files)."""
    with tempfile.TemporaryDirectory(prefix="cfggen-dtc-") as scratch:
        dtb_path = os.path.join(scratch, "out.dtb")
        dep_path = os.path.join(scratch, "out.d")
        result = _run(["-q", "-I", "dts", "-O", "dtb", "-d", dep_path, "-o", dtb_path, path])
        if result.returncode != 0:
            raise DtcFailed(parse_errors(result.stderr, path))
        with open(dtb_path, "rb") as dtb_file:
            dtb = dtb_file.read()
        with open(dep_path, encoding="utf-8", errors="surrogateescape") as dep_file:
            deps = parse_depfile(dep_file.read())
    includes = [dep for dep in deps if os.path.abspath(dep) != path]
    return dtb, [os.path.abspath(dep) for dep in includes]


def annotate_dts(path):
    """dtc's DTS output of `path` with a source position on every line."""
    result = _run(["-q", "-I", "dts", "-O", "dts", "-T", "-T", path])
    if result.returncode != 0:
        raise DtcFailed(parse_errors(result.stderr, path))
    return result.stdout


def _run(args):
    try:
        return subprocess.run([DTC, *args], capture_output=True, text=True,
                              errors="surrogateescape", check=False)
    except OSError as error:
        raise DtcFailed([DtcMessage("<dtc>", 0, f"cannot run {DTC}: {error.strerror}")])


def parse_errors(stderr, main_file):
    """dtc's stderr as located messages (unlocated ones go to `main_file`)."""
    located, unlocated = [], []
    for raw in stderr.splitlines():
        line = raw.strip()
        if not line or line.startswith(_SUMMARIES):
            continue
        match = _LOCATED.match(line)
        if match:
            located.append(DtcMessage(match["file"], int(match["line"]), match["text"]))
        else:
            unlocated.append(DtcMessage(main_file, _guess_line(line, main_file), line))
    messages = located + unlocated
    if not messages:
        messages = [DtcMessage(main_file, 1, "dtc failed without a message")]
    return messages


def _guess_line(message, main_file):
    """For "Couldn't open "x"", the line of `main_file` mentioning "x"; else 1."""
    match = _CANNOT_OPEN.search(message)
    if match:
        try:
            with open(main_file, encoding="utf-8", errors="replace") as source:
                for number, text in enumerate(source, start=1):
                    if f'"{match["name"]}"' in text:
                        return number
        except OSError:
            pass
    return 1


def parse_depfile(text):
    """The prerequisites of dtc's one-rule depfile (dtc does not escape spaces)."""
    _, _, prerequisites = text.replace("\\\n", " ").partition(": ")
    paths, pending = [], ""
    for token in prerequisites.split():
        pending = f"{pending} {token}" if pending else token
        if os.path.exists(pending):
            paths.append(pending)
            pending = ""
    if pending:
        paths.append(pending)
    return paths
