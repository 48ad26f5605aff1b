"""tools/cfggen/review.py: the Markdown and HTML configuration reviews.

Each case generates a scenario with `cfggen.py generate` (the build's
tables), then reviews it against that output, as `./tessera review` does.
test_review_of_the_build_tree runs only under ctest (review-default), on the
default scenario of the real build.
"""

import hashlib
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import review
import review_format
import rules

from cfgtest import (MiB, PYTHON, REPO, code, generate, guest_dts, make_elf, write_config)

TOOL = REPO / "tools" / "cfggen" / "review.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HASH_LINE = re.compile(r'kConfigHash\[\] = "([0-9a-f]{64})"')
SVG_NS = "{http://www.w3.org/2000/svg}"


# --- helpers ----------------------------------------------------------------

def two_partitions(tmp_path):
    """alpha: hart 1, 64 MiB relocated; beta: harts 2 and 3, two RAM regions."""
    beta_memory = ((0x80000000, 32 * MiB, 0x90000000), (0xa0000000, 16 * MiB, None))
    return write_config(tmp_path, {
        "alpha.dts": guest_dts("alpha"),
        "beta.dts": guest_dts("beta", harts=((0, 2), (1, 3)), memory=beta_memory)})


def uboot(tmp_path):
    """fixtures/uboot.scenario.dts: emulated PLIC and UART, virtio passthrough, a finding."""
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    make_elf(tmp_path / "fixtures" / "uboot.elf", [(0x80200000, code(0x100), 0x1000)],
             0x80200000)
    return tmp_path / "fixtures" / "uboot.scenario.dts"


def run_review(scenario, generated, out_dir, *extra):
    return subprocess.run([PYTHON, str(TOOL), "--scenario", str(scenario), "--generated",
                           str(generated), "--out-dir", str(out_dir), *map(str, extra)],
                          cwd=Path(scenario).parent, capture_output=True, text=True, check=False)


def reviewed(tmp_path, scenario, *extra):
    """(Markdown, HTML, generated dir, review.py result) of a scenario that generates."""
    generated = tmp_path / "generated"
    result = generate(scenario, generated)
    assert result.returncode == 0, result.stderr
    out_dir = tmp_path / "review"
    result = run_review(scenario, generated, out_dir, *extra)
    assert result.returncode == 0, result.stderr
    name = Path(scenario).name.replace(".scenario.dts", "")
    return ((out_dir / f"{name}.md").read_text(), (out_dir / f"{name}.html").read_text(),
            generated, result)


def svg_of(html):
    found = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(found) == 1, "one inline SVG memory map"
    return ET.fromstring(found[0])


def block_rects(svg, kind):
    return [rect for rect in svg.iter(f"{SVG_NS}rect")
            if kind in rect.get("class", "").split()]


class _TagChecker(HTMLParser):
    """Fails on an end tag that closes anything but the innermost open element."""
    VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr", "source"}

    def __init__(self):
        super().__init__()
        self.stack = []
        self.tags = []
        self.rows = []           # attributes of <tr class="resource">
        self.rule_rows = {}      # data-rule -> text of the row

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "tr" and attributes.get("class") == "resource":
            self.rows.append(attributes)
        if tag == "tr" and "data-rule" in attributes:
            self.rule_rows[attributes["data-rule"]] = ""
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
        self.stack.pop()

    def handle_data(self, data):
        if self.rule_rows and "tr" in self.stack:
            last = next(reversed(self.rule_rows))
            self.rule_rows[last] += data


def checked_html(html):
    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


# --- the reviews ------------------------------------------------------------

def test_review_writes_markdown_and_html_and_prints_their_paths(tmp_path):
    markdown, html, _, result = reviewed(tmp_path, two_partitions(tmp_path))
    printed = [(tmp_path / line).resolve() for line in result.stdout.splitlines()]  # cwd-relative
    assert printed == [tmp_path / "review" / "test.md", tmp_path / "review" / "test.html"]
    assert markdown.startswith("# Tessera configuration review: test\n")
    assert "<title>Tessera configuration review: test</title>" in html
    assert [path.name for path in sorted((tmp_path / "review").iterdir())] == ["test.html",
                                                                               "test.md"]


def test_review_hash_is_the_one_the_hypervisor_prints(tmp_path):
    """The digest in both reviews is kConfigHash of the generated header: the runtime prints
    its first 16 digits at boot (core/hv_main.cpp), as cfggen generate does."""
    scenario = two_partitions(tmp_path)
    markdown, html, generated, _ = reviewed(tmp_path, scenario)
    digest = HASH_LINE.search((generated / "tessera_scenario.hpp").read_text())[1]
    assert f"| Configuration hash | {digest} |" in markdown
    assert f"| Printed at boot | config {digest[:16]} |" in markdown
    assert f'data-digest="{digest}">{digest}</div>' in html
    assert f"<code>config {digest[:16]}</code>" in html
    again = generate(scenario, tmp_path / "again")
    assert f", config {digest[:16]}, " in again.stdout
    assert set(re.findall(r"\b[0-9a-f]{64}\b", html)) >= {digest}


def test_review_html_is_well_formed_and_self_contained(tmp_path):
    _, html, _, _ = reviewed(tmp_path, uboot(tmp_path))
    assert html.startswith("<!DOCTYPE html>\n")
    tags = checked_html(html).tags
    names = {tag for tag, _ in tags}
    assert {"script", "link", "img", "iframe", "object", "embed"}.isdisjoint(names)
    for tag, attributes in tags:
        assert "src" not in attributes, tag
        assert attributes.get("href", "#").startswith("#"), attributes
    for forbidden in ("http:", "https:", "@import", "//fonts", "file:"):
        assert forbidden not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert all(url.startswith("#") for url in re.findall(r"url\(([^)]*)\)", html))
    assert "<style>" in html


def test_review_svg_has_one_rect_per_partition_ram_region(tmp_path):
    _, html, _, _ = reviewed(tmp_path, two_partitions(tmp_path))
    svg = svg_of(html)
    ram = block_rects(svg, "ram")
    assert sorted((rect.get("data-owner"), rect.get("data-base"), rect.get("data-size"))
                  for rect in ram) == [("p0", "0x88000000", "0x4000000"),
                                       ("p1", "0x90000000", "0x2000000"),
                                       ("p1", "0xa0000000", "0x1000000")]
    labels = "".join(svg.itertext())
    assert "p0 alpha: RAM" in labels and "p1 beta: RAM" in labels
    assert review_format.addr(0x88000000) in labels
    assert "axis broken" in labels                            # the segmented axis
    assert block_rects(svg, "hypervisor") and block_rects(svg, "firmware")
    assert len(block_rects(svg, "swatch")) >= 6                # the legend
    assert {ram[0].get("fill")} != {ram[1].get("fill")}      # one colour per partition


def test_review_allocation_matrix_has_every_resource_and_one_owner(tmp_path):
    markdown, html, _, _ = reviewed(tmp_path, two_partitions(tmp_path))
    rows = checked_html(html).rows
    harts = [row["data-owner"] for row in rows if row["data-kind"] == "hart"]
    assert harts == ["none", "p0", "p1", "p1"]
    assert ("| hart | hart 2 |  |  |  | ■ |  | virtual hart 0 of beta (/cpus/cpu@2) |"
            in markdown)
    assert ("| RAM | [0x8020_0000, 0x8400_0000) 62 MiB |  | **HV** |  |  |  | "
            "hypervisor image, stacks, stage-2 tables: /reserved-memory/hypervisor@80200000 |"
            in markdown)
    ram = [row["data-owner"] for row in rows if row["data-kind"] == "RAM"]
    assert ram.count("p0") == 1 and ram.count("p1") == 2 and "hypervisor" in ram
    devices = {row["data-owner"] for row in rows if row["data-kind"] == "device"}
    assert devices == {"hypervisor", "none"}
    assert "| device | /soc/serial@10000000 |  | **HV** |" in markdown
    assert sum(1 for row in rows if row["data-kind"] == "interrupt") == 10
    assert {row["data-owner"] for row in rows} == {"firmware", "hypervisor", "p0", "p1", "none"}
    # exactly one owner column marked per row
    for line in markdown.split("## Allocation matrix")[1].split("##")[0].splitlines():
        if line.startswith("| hart ") or line.startswith("| RAM ") or \
                line.startswith("| device ") or line.startswith("| interrupt "):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")][2:-1]
            assert sum(1 for cell in cells if cell) == 1, line


def test_review_lists_every_rule_of_the_catalogue(tmp_path):
    markdown, html, _, _ = reviewed(tmp_path, two_partitions(tmp_path))
    rule_rows = checked_html(html).rule_rows
    assert list(rule_rows) == list(rules.RULES)
    for rule in rules.RULES.values():
        assert f"| {rule.id} | {rule.severity} | {rule.title} | PASS |" in markdown
        assert "PASS" in rule_rows[rule.id]
    assert "### Findings\n\nNone." in markdown


def test_review_shows_a_warning_finding_as_finding(tmp_path):
    markdown, html, _, _ = reviewed(tmp_path, uboot(tmp_path))
    rule_rows = checked_html(html).rule_rows
    assert "FINDING" in rule_rows["CFG-DMA-001"] and "PASS" not in rule_rows["CFG-DMA-001"]
    assert all("PASS" in text for rule_id, text in rule_rows.items() if rule_id != "CFG-DMA-001")
    dma = rules.RULES["CFG-DMA-001"]
    assert f"| CFG-DMA-001 | warning | {dma.title} | **FINDING** (1) |" in markdown
    assert re.search(r"^- \*\*FINDING\*\* \[CFG-DMA-001\] p0 uboot, \S*/uboot\.dts:\d+, "
                     r"/soc/virtio_mmio@10008000: DMA-capable device \(virtio,mmio\)",
                     markdown, re.M), markdown
    assert '<span class="verdict finding">FINDING</span>' in html
    assert "DMA-capable device (virtio,mmio) in a partition whose RAM is not all" in html


def test_review_of_devices_interrupts_and_split_ram(tmp_path):
    markdown, html, _, _ = reviewed(tmp_path, uboot(tmp_path))
    # passthrough MMIO, emulated devices, routes: host source 8 on hart 2's S-mode context
    assert ("| [0x1000_8000, 0x1000_9000) | [0x1000_8000, 0x1000_9000) | 4 KiB | "
            "/soc/virtio_mmio@10008000 | /soc/virtio_mmio@10008000 |  |") in markdown
    assert "| virtual PLIC | [0xc00_0000, 0xc60_0000) | /soc/interrupt-controller@c000000 |" \
        in markdown
    assert ("| 8 | /soc/virtio_mmio@10008000 | context 5 (hart 2 S-mode) | p0 uboot | 8 | "
            "/soc/virtio_mmio@10008000 | 1 (virtual hart 0), 3 (virtual hart 1) |") in markdown
    assert "| virtual | virtual 16550 UART (emulated) | none | p0 uboot | 10 |" in markdown
    assert "| interrupt | host source 8 |  |  | ■ |  | /soc/virtio_mmio@10008000: " in markdown
    assert ("| [0x8000_0000, 0x8400_0000) | [0x9000_0000, 0x9400_0000) | 64 MiB | relocated |"
            in markdown)
    assert ("| [0x8400_0000, 0x8800_0000) | [0x8400_0000, 0x8800_0000) | 64 MiB | identity |"
            in markdown)
    svg = svg_of(html)
    assert [rect.get("data-base") for rect in block_rects(svg, "mmio")] == ["0x10008000"]
    assert len(block_rects(svg, "ram")) == 2
    assert "| Sstc | yes: the guest programs vstimecmp itself |" in markdown


def test_review_says_who_owns_the_console(tmp_path):
    markdown, html, _, _ = reviewed(tmp_path, two_partitions(tmp_path))
    assert ("| Console owner | hypervisor (multiplexed, prefixes): every partition's lines, "
            "prefixed with its name |") in markdown
    assert "hypervisor (multiplexed, prefixes)" in html

    owned = tmp_path / "owned"
    owned.mkdir()
    scenario = uboot(owned)
    scenario.write_text(scenario.read_text().replace(
        'tessera,partitions = "uboot.dts";',
        'tessera,partitions = "uboot.dts";\n\ttessera,console-owner = "uboot";'))
    guest = owned / "fixtures" / "uboot.dts"
    guest.write_text(guest.read_text().replace(
        "clock-frequency = <3686400>;", "clock-frequency = <3686400>;\n\t\t\ttessera,passthrough;"))
    markdown, html, generated, _ = reviewed(owned, scenario)
    owner = ("partition uboot (passthrough): the hypervisor and the other partitions are "
             "silent after boot")
    assert f"| Console owner | {owner} |" in markdown
    assert owner in html
    assert ("| device | /soc/serial@10000000 |  |  | ■ |  | [0x1000_0000, 0x1000_0100): "
            "passed through as /soc/serial@10000000 of uboot |") in markdown
    assert "| interrupt | host source 10 |  |  | ■ |  | /soc/serial@10000000: guest source 10 " \
        "of uboot (/soc/serial@10000000) |" in markdown
    assert ("| 10 | /soc/serial@10000000 | context 5 (hart 2 S-mode) | p0 uboot | 10 | "
            "/soc/serial@10000000 |") in markdown
    assert f"owner {owner}" in (generated / "review.txt").read_text()
    assert ("inline constexpr int kConsoleOwner = 0;  // uboot owns the console UART by "
            "passthrough") in (generated / "tessera_scenario.hpp").read_text()


def test_review_hashes_every_input_and_output(tmp_path):
    scenario = two_partitions(tmp_path)
    markdown, html, generated, _ = reviewed(tmp_path, scenario)
    inputs = [scenario, tmp_path / "alpha.dts", tmp_path / "beta.dts", tmp_path / "alpha.elf",
              tmp_path / "beta.elf", REPO / "platform" / "qemu-virt" / "host.dts",
              REPO / "tools" / "cfggen" / "review.py"]
    outputs = [path for path in generated.rglob("*") if path.is_file()]
    assert len(outputs) >= 8
    for path in inputs + outputs:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{digest}`" in markdown, path
        assert f'<td class="mono sha">{digest}</td>' in html, path
    assert "| guest image (elf), p1 beta |" in markdown
    assert "| configuration tables (C++ header, holds the configuration hash) |" in markdown
    assert "| p1 beta: guest DTB |" in markdown


def test_review_hashes_the_hypervisor_image_that_embeds_the_hash(tmp_path):
    scenario = two_partitions(tmp_path)
    generated = tmp_path / "generated"
    assert generate(scenario, generated).returncode == 0
    digest = HASH_LINE.search((generated / "tessera_scenario.hpp").read_text())[1]
    image = tmp_path / "tessera-test.elf"
    image.write_bytes(b"\x7fELF" + bytes(60) + digest.encode() + b"\0")
    result = run_review(scenario, generated, tmp_path / "review", "--image", image)
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "review" / "test.md").read_text()
    assert (f"| hypervisor image (ELF) | {image} | {image.stat().st_size} | "
            f"`{hashlib.sha256(image.read_bytes()).hexdigest()}` |") in markdown

    image.write_bytes(b"\x7fELF" + bytes(60))
    result = run_review(scenario, generated, tmp_path / "other", "--image", image)
    assert result.returncode == 1
    assert f"does not embed config {digest[:16]}" in result.stderr
    assert not (tmp_path / "other").exists()


def test_review_refuses_a_stale_build(tmp_path):
    """The review must describe what was built: changed inputs need a rebuild first."""
    scenario = two_partitions(tmp_path)
    generated = tmp_path / "generated"
    assert generate(scenario, generated).returncode == 0
    make_elf(tmp_path / "alpha.elf", [(0x80000000, code(0x1200, 7), 0x2000)], 0x80000000)
    result = run_review(scenario, generated, tmp_path / "review")
    assert result.returncode == 1
    assert "is not what the inputs give now" in result.stderr
    assert "rebuild the scenario" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "review").exists()


def test_review_of_a_broken_configuration_reports_the_rule(tmp_path):
    scenario = write_config(tmp_path, {"alpha.dts": guest_dts(harts=((0, 9),))})
    result = run_review(scenario, tmp_path / "generated", tmp_path / "review")
    assert result.returncode == 1
    assert "[CFG-HART-002]" in result.stderr
    assert not (tmp_path / "review").exists()


def test_review_reads_the_rule_catalogue_when_it_runs(tmp_path, monkeypatch, capsys):
    """A rule added to rules.RULES appears without touching the review code."""
    scenario = two_partitions(tmp_path)
    generated = tmp_path / "generated"
    assert generate(scenario, generated).returncode == 0
    extra = rules.Rule("CFG-TEST-999", "a rule the review has never heard of", "no reason", "none",
                       rules.WARNING)
    monkeypatch.setattr(rules, "RULES", {**rules.RULES, extra.id: extra})
    assert review.main(["--scenario", str(scenario), "--generated", str(generated),
                        "--out-dir", str(tmp_path / "review")]) == 0
    capsys.readouterr()
    markdown = (tmp_path / "review" / "test.md").read_text()
    html = (tmp_path / "review" / "test.html").read_text()
    assert "| CFG-TEST-999 | warning | a rule the review has never heard of | PASS |" in markdown
    assert 'data-rule="CFG-TEST-999"' in html


def test_review_format():
    assert review_format.addr(0x80000000) == "0x8000_0000"
    assert review_format.addr(0x1_0000_0000) == "0x1_0000_0000"
    assert review_format.addr(0) == "0x0"
    assert review_format.span(0x80000000, 0x200000) == "[0x8000_0000, 0x8020_0000)"
    assert review_format.size(64 * MiB) == "64 MiB"
    assert review_format.size(80496) == "80496 bytes (78.6 KiB)"
    assert review_format.size(0x100) == "256 bytes"


# --- the build tree (ctest review-default) -----------------------------------

BUILD_TREE = os.environ.get("TESSERA_REVIEW_BUILD_TREE")


@pytest.mark.skipif(not BUILD_TREE, reason="ctest review-default sets TESSERA_REVIEW_BUILD_TREE")
def test_review_of_the_build_tree():
    """What `./tessera review` runs after building: the default scenario of the gcc build."""
    firmware = Path(BUILD_TREE) / "firmware-gcc"
    scenario_dir = firmware / "scenarios" / "default"
    image = scenario_dir / "tessera-default.elf"
    out_dir = Path(BUILD_TREE) / "review"
    result = subprocess.run(
        [PYTHON, str(TOOL), "--scenario", str(REPO / "configs" / "default.scenario.dts"),
         "--generated", str(scenario_dir / "generated"), "--build-dir", str(firmware),
         "--image", str(image), "--image", f"{image}.bin", "--out-dir", str(out_dir)],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    paths = [Path(line).resolve() for line in result.stdout.splitlines()]
    assert [path.name for path in paths] == ["default.md", "default.html"]
    for path in paths:
        assert path.is_file() and path.stat().st_size > 0, path
    digest = HASH_LINE.search((scenario_dir / "generated" / "tessera_scenario.hpp").read_text())[1]
    assert digest.encode() in image.read_bytes()   # what the hypervisor prints at boot
    assert f"| Configuration hash | {digest} |" in paths[0].read_text()
    assert "| Console owner | hypervisor (multiplexed, prefixes)" in paths[0].read_text()
    checked_html(paths[1].read_text())
