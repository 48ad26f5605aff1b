"""docs/configuration.md against the code and the configurations it quotes: every
tessera,* property and every binding is documented, every quoted excerpt is in its
file, and the RTOS example generates."""

import re
import shutil

import pytest

import device_bindings
from cfgtest import FIXTURES, REPO, code, edited, run_in_process

GUIDE = REPO / "docs" / "configuration.md"
TOOL = REPO / "tools" / "cfggen"
EXCERPT = re.compile(r"```dts\n// (?P<path>\S+)\n(?P<body>.*?)```", re.S)


def guide():
    return GUIDE.read_text(encoding="utf-8")


def test_every_tessera_property_is_documented():
    names = set()
    for source in TOOL.glob("*.py"):
        names.update(re.findall(r'"(tessera,[a-z-]+)"', source.read_text(encoding="utf-8")))
    assert "tessera,watchdog-ms" in names and "tessera,host-ranges" in names
    missing = sorted(name for name in names if name not in guide())
    assert not missing, f"configuration.md does not document {missing}"


def test_every_binding_is_in_the_device_table():
    text = guide()
    for path in device_bindings.binding_files():
        binding = device_bindings.load_file(path)
        assert f"`{binding.file}`" in text, binding.file
        for name in binding.compatible:
            assert f"`{name}`" in text, name


def test_quoted_excerpts_are_in_their_files():
    excerpts = list(EXCERPT.finditer(guide()))
    assert len(excerpts) >= 3
    for excerpt in excerpts:
        lines = {line.strip() for line in (REPO / excerpt["path"]).read_text().splitlines()}
        for line in excerpt["body"].splitlines():
            if line.strip() and line.strip() != "...":
                assert line.strip() in lines, f"{excerpt['path']} has no line {line.strip()!r}"


def rtos(tmp_path, *replacements):
    """The RTOS example (fixtures/rtthread.dts, edited) with a stand-in rtthread.bin."""
    shutil.copy(FIXTURES / "rtthread.scenario.dts", tmp_path)
    text = edited((FIXTURES / "rtthread.dts").read_text(), *replacements)
    (tmp_path / "rtthread.dts").write_text(text)
    (tmp_path / "rtthread.bin").write_bytes(code(0x20000))
    return run_in_process("check", "--scenario", tmp_path / "rtthread.scenario.dts",
                          cwd=tmp_path)


def test_rtos_example_is_the_fixture_and_generates(tmp_path):
    fixture = (FIXTURES / "rtthread.dts").read_text()
    assert fixture[fixture.index("/dts-v1/;"):] in guide()
    status, review, stderr = rtos(tmp_path)
    assert status == 0, stderr
    assert "gpa 0x80000000 -> hpa 0xb0000000, size 0x8000000 (128 MiB)" in review
    assert "sha256" in review and "flat, entry 0x80200000" in review


def test_rtos_split_ram_variant_generates(tmp_path):
    text = guide()
    start = text.index("\tmemory@80000000 {\n", text.index("If the RTOS also drives"))
    split = text[start:text.index("\t};\n", start) + len("\t};\n")]
    assert "tessera,host-ranges" in split
    fixture = (FIXTURES / "rtthread.dts").read_text()
    memory = re.search(r"\tmemory@80000000 \{\n.*?\t\};\n", fixture, re.S)[0]
    status, review, stderr = rtos(tmp_path, (memory, split))
    assert status == 0, stderr
    assert "gpa 0x84000000 -> hpa 0x84000000" in review


@pytest.mark.parametrize("document", ["configuration.md", "rules.md", "testing.md"])
def test_links_between_documents_resolve(document):
    text = (REPO / "docs" / document).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([a-z-]+\.md)(?:#[^)]*)?\)", text):
        assert (REPO / "docs" / target).is_file(), f"{document} links to missing {target}"
