"""Unit tests of the smaller cfggen modules, imported directly."""

import pytest

import dtc
import image
import interrupts
import isa
import props
import ranges
import rules
from cfgtest import code, make_elf
from diagnostics import Diagnostics, SourcePos
from dtsource import load_dts
from fdtree import Node, TreeError, read_tree
from srcmap import parse_annotated


# --- srcmap: dtc's annotated output -> positions ----------------------------

def test_positions_follow_includes(tmp_path):
    (tmp_path / "board.dtsi").write_text(
        "/ {\n\tsoc {\n\t\tuart: serial@1000 {\n\t\t\treg = <0x1000 0x100>;\n\t\t};\n\t};\n};\n")
    (tmp_path / "main.dts").write_text(
        '/dts-v1/;\n/include/ "board.dtsi"\n/ {\n\tmodel = "m";\n};\n'
        "&uart {\n\tcurrent-speed = <115200>;\n};\n")
    diags = Diagnostics()
    source = load_dts(tmp_path / "main.dts", diags)
    assert not diags
    assert source.includes == [str(tmp_path / "board.dtsi")]
    where = source.source_map
    assert where.node("/soc/serial@1000") == SourcePos(str(tmp_path / "board.dtsi"), 3)
    assert where.prop("/soc/serial@1000", "reg") == SourcePos(str(tmp_path / "board.dtsi"), 4)
    assert (where.prop("/soc/serial@1000", "current-speed")
            == SourcePos(str(tmp_path / "main.dts"), 7))
    assert where.prop("/", "model") == SourcePos(str(tmp_path / "main.dts"), 4)
    # Unknown properties fall back to their node, unknown nodes to the closest ancestor.
    assert source.locate("/soc/serial@1000", "nope").line == 3
    assert source.locate("/soc/serial@1000/missing").line == 3


def test_parse_annotated_strips_labels_and_reads_strings_with_braces():
    text = ("/dts-v1/;\n\n"
            "/ { /* a.dts:2:3-9:3 */\n"
            '\tx = "{ not a node }"; /* a.dts:3:2-3:22 */\n'
            "\tl1: l2: node@0 { /* a.dts:4:8-8:4, b.dtsi:1:1-1:9 */\n"
            "\t\tlab: flag; /* a.dts:5:3-5:8 */\n"
            "\t}; /* a.dts:4:8-8:4 */\n"
            "}; /* a.dts:2:3-9:3 */\n")
    where = parse_annotated(text)
    assert where.node("/node@0") == SourcePos("a.dts", 4)
    assert where.prop("/", "x") == SourcePos("a.dts", 3)
    assert where.prop("/node@0", "flag") == SourcePos("a.dts", 5)


# --- dtc messages and depfiles ----------------------------------------------

def test_dtc_errors_are_located():
    stderr = ("Error: /x/a.dts:4.17-18 syntax error\n"
              "FATAL ERROR: Unable to parse input tree\n")
    assert dtc.parse_errors(stderr, "/x/a.dts") == [dtc.DtcMessage("/x/a.dts", 4, "syntax error")]
    stderr = ('/x/b.dts:2.3-4.3: ERROR (phandle_references): /: Reference to non-existent '
              'node or label "nolabel"\n\nERROR: Input tree has errors, aborting\n')
    [message] = dtc.parse_errors(stderr, "/x/b.dts")
    assert (message.file, message.line) == ("/x/b.dts", 2)
    assert message.text.startswith("ERROR (phandle_references)")


def test_unlocated_dtc_error_finds_the_include_line(tmp_path):
    main = tmp_path / "a.dts"
    main.write_text('/dts-v1/;\n/ {};\n/include/ "gone.dtsi"\n')
    [message] = dtc.parse_errors('FATAL ERROR: Couldn\'t open "gone.dtsi": No such file\n',
                                 str(main))
    assert message.line == 3


def test_depfile_with_spaces_in_paths(tmp_path):
    spaced = tmp_path / "a b.dtsi"
    spaced.write_text("")
    plain = tmp_path / "c.dtsi"
    plain.write_text("")
    text = f"out.dtb: {spaced} {plain}\n"
    assert dtc.parse_depfile(text) == [str(spaced), str(plain)]


# --- property decoding ----------------------------------------------------

def node_with(parent_props=None, **values):
    parent = Node("", "/", None)
    parent.props.update(parent_props or {})
    node = Node("n", "/n", parent)
    node.props.update({name.replace("_", "-"): value for name, value in values.items()})
    return node


def test_reg_uses_the_parent_cell_counts():
    one = bytes.fromhex("00000001")
    one_one = {"#address-cells": one, "#size-cells": one}
    node = node_with(one_one, reg=bytes.fromhex("10000000 00001000 20000000 00000100"))
    assert props.reg(node) == [(0x10000000, 0x1000), (0x20000000, 0x100)]
    default = node_with(reg=bytes.fromhex("00000001 00000000 00001000"))  # defaults 2/1
    assert props.reg(default) == [(1 << 32, 0x1000)]
    with pytest.raises(props.PropError):
        props.reg(node_with(reg=bytes.fromhex("00000001 00000000")))


def test_strings_and_cells_reject_each_other():
    with pytest.raises(props.PropError):
        props.string(node_with(s=bytes.fromhex("00000001")), "s")
    with pytest.raises(props.PropError):
        props.string(node_with(s=b"a\0b\0"), "s")
    assert props.strings(node_with(s=b"a\0b\0"), "s") == ["a", "b"]
    with pytest.raises(props.PropError):
        props.u64(node_with(v=b"abc\0"), "v")
    with pytest.raises(props.PropError):
        props.cells(node_with(v=b"abcde\0"), "v")
    assert props.u64(node_with(v=bytes.fromhex("00000001 00000002")), "v") == (1 << 32) | 2
    assert props.string(node_with(), "absent") is None


# --- images ------------------------------------------------------------------

def test_elf_segments_and_entry(tmp_path):
    path = make_elf(tmp_path / "g.elf", [(0x80000000, code(16), 32), (0x80001000, b"", 0),
                                         (0x80002000, b"", 0x100)], 0x80000004)
    loaded = image.read_image(str(path))
    assert loaded.format == "elf" and loaded.entry == 0x80000004
    assert [(s.gpa, s.data, s.mem_size, s.label) for s in loaded.segments] == [
        (0x80000000, code(16), 32, "g.elf segment 0"),
        (0x80002000, b"", 0x100, "g.elf segment 2")]   # p_memsz == 0 is skipped


def test_flat_image(tmp_path):
    path = tmp_path / "g.bin"
    path.write_bytes(code(100))
    loaded = image.read_image(str(path), load_address=0x80100000)
    assert loaded.format == "flat"
    assert [(s.gpa, s.mem_size) for s in loaded.segments] == [(0x80100000, 100)]
    with pytest.raises(image.ImageFormatError):
        image.read_image(str(path))


@pytest.mark.parametrize("kwargs, message", [
    ({"machine": 62}, "not RISC-V"),
    ({"elf_class": 1}, "not ELF64"),
    ({"e_type": 3}, "not an executable"),
])
def test_elf_rejections(tmp_path, kwargs, message):
    path = make_elf(tmp_path / "g.elf", [(0x80000000, code(16), 16)], 0x80000000, **kwargs)
    with pytest.raises(image.ImageFormatError, match=message):
        image.read_image(str(path))


def test_image_path_expansion(tmp_path):
    guest = str(tmp_path / "configs" / "g.dts")
    variables = {"build": "/b", "cache": "/c", "source": "/s"}
    assert image.expand_path("${build}/x.elf", guest, variables) == "/b/x.elf"
    assert image.expand_path("${cache}/y/${source}", guest, variables) == "/c/y/s"
    assert image.expand_path("img/x.elf", guest, variables) == str(tmp_path / "configs/img/x.elf")
    with pytest.raises(image.ImagePathError):
        image.expand_path("${build}/x.elf", guest, {"cache": "/c"})


# --- small helpers -------------------------------------------------------------

def test_ranges():
    assert ranges.overlaps(0, 0x1000, 0xFFF, 1)
    assert not ranges.overlaps(0, 0x1000, 0x1000, 1)
    assert ranges.merge([(0x2000, 0x1000), (0, 0x1000), (0x1000, 0x1000)]) == [(0, 0x3000)]
    assert ranges.inside_any([(0, 0x1000), (0x2000, 0x1000)], 0x2800, 0x800)
    assert not ranges.inside_any([(0, 0x1000), (0x2000, 0x1000)], 0x800, 0x1000)


def test_rule_ids_are_stable_and_complete():
    for rule in rules.RULES.values():
        assert rule.title and rule.hint
        assert rule.id.count("-") == 2 and rule.id.startswith("CFG-")
    must_have = ("CFG-DT-001 CFG-SCN-001 CFG-NAME-001 CFG-HART-001 CFG-HART-002 CFG-HART-003 "
                 "CFG-HART-004 CFG-MEM-001 CFG-MEM-002 CFG-MEM-003 CFG-MEM-004 CFG-MEM-005 "
                 "CFG-DEV-001 CFG-DEV-002 CFG-DEV-003 CFG-IMG-001 CFG-IMG-002 CFG-IMG-003 "
                 "CFG-IMG-004 CFG-HV-001 CFG-PLAT-001").split()
    assert set(must_have) <= set(rules.RULES)


def test_diagnostic_format(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    diags = Diagnostics()
    diags.report_at("CFG-MEM-004", SourcePos(str(tmp_path / "g.dts"), 12), "/memory@0", "bad")
    diags.report_at("CFG-MEM-004", SourcePos(str(tmp_path / "g.dts"), 12), "/memory@0", "bad")
    assert len(diags) == 1
    assert diags.format() == ("g.dts:12: error: [CFG-MEM-004] /memory@0: bad\n"
                              f"  hint: {rules.rule('CFG-MEM-004').hint}")


# --- tessera,host-ranges, ISA strings, interrupt wiring ------------------------

def u32s(*values):
    return b"".join(value.to_bytes(4, "big") for value in values)


def test_host_ranges_use_the_parent_cell_counts():
    one_one = {"#address-cells": u32s(1), "#size-cells": u32s(1)}
    node = node_with(one_one, r=u32s(0x80000000, 0x90000000, 0x1000,
                                     0x80001000, 0x80001000, 0x2000))
    assert props.host_ranges(node, "r") == [(0x80000000, 0x90000000, 0x1000),
                                            (0x80001000, 0x80001000, 0x2000)]
    default = node_with(r=u32s(0, 0x80000000, 1, 0, 0x4000))  # defaults 2/1
    assert props.host_ranges(default, "r") == [(0x80000000, 1 << 32, 0x4000)]
    with pytest.raises(props.PropError):
        props.host_ranges(node_with(one_one, r=u32s(1, 2, 3, 4)), "r")
    with pytest.raises(props.PropError):
        props.host_ranges(node_with({"#size-cells": u32s(0)}, r=u32s(0, 1, 0, 2)), "r")
    assert props.host_ranges(node_with(), "absent") is None


def cpu(**values):
    node = Node("cpu@0", "/cpus/cpu@0", None)
    node.props.update({f"riscv,{name.replace('_', '-')}": value for name, value in values.items()})
    return node


def test_isa_extensions():
    assert isa.has_sstc(cpu(isa=b"rv64imafdc_zicsr_zifencei_sstc\0"))
    assert isa.has_sstc(cpu(isa=b"RV64GC_Sstc\0"))
    assert not isa.has_sstc(cpu(isa=b"rv64imafdc_zicsr\0"))
    assert not isa.has_sstc(cpu(isa=b"rv64sstc\0"))  # part of the base string, not an extension
    assert isa.has_sstc(cpu(isa_extensions=b"i\0m\0sstc\0"))
    assert not isa.has_sstc(cpu())
    with pytest.raises(props.PropError):
        isa.has_sstc(cpu(isa=u32s(1)))


def add_node(parent, name, values):
    node = Node(name, f"{parent.path.rstrip('/')}/{name}", parent)
    node.props.update(values)
    parent.children.append(node)
    return node


def test_interrupt_parents_and_specifiers():
    root = Node("", "/", None)
    plic = add_node(root, "plic", {"phandle": u32s(1), "#interrupt-cells": u32s(1)})
    add_node(root, "intc", {"phandle": u32s(2), "#interrupt-cells": u32s(2)})
    bus = add_node(root, "bus", {"interrupt-parent": u32s(1)})
    dev = add_node(bus, "dev", {"interrupts": u32s(8, 9)})
    ctl = add_node(root, "ctl", {"#interrupt-cells": u32s(1)})
    child = add_node(ctl, "child", {"interrupts": u32s(3)})
    by_phandle = interrupts.phandles(root)

    def resolved(node):
        return [(controller.path, cells)
                for controller, cells in interrupts.specifiers(node, by_phandle)]

    # Inherited interrupt-parent; else the DT parent when it is a controller.
    assert interrupts.interrupt_parent(dev, by_phandle) is plic
    assert resolved(dev) == [("/plic", (8,)), ("/plic", (9,))]
    assert resolved(child) == [("/ctl", (3,))]
    assert resolved(bus) == []
    # interrupts-extended wins, with each controller's own cell count.
    dev.props["interrupts-extended"] = u32s(2, 5, 6, 1, 7)
    assert resolved(dev) == [("/intc", (5, 6)), ("/plic", (7,))]
    for broken in (u32s(2, 5), u32s(9, 5)):  # truncated; dangling phandle
        dev.props["interrupts-extended"] = broken
        with pytest.raises(props.PropError):
            resolved(dev)
    del dev.props["interrupts-extended"]
    bus.props["interrupt-parent"] = u32s(42)
    with pytest.raises(props.PropError):
        resolved(dev)
    bus.props["interrupt-parent"] = u32s(1)
    dev.props["interrupts"] = b"\0\0"
    with pytest.raises(props.PropError):
        resolved(dev)


# --- reading DTBs that dtc did not write ---------------------------------------------

def _dtb(tmp_path, body):
    source = tmp_path / "t.dts"
    source.write_text("/dts-v1/;\n/ {\n" + body + "};\n")
    return dtc.compile_dts(str(source))[0]


def test_read_tree_refuses_corrupt_blobs(tmp_path):
    dtb = _dtb(tmp_path, '\tcompatible = "x";\n\tn@0 { reg = <0>; };\n')
    assert read_tree(dtb).find("/n@0").props["reg"] == bytes(4)
    for broken in (dtb[:20], dtb[:-4], dtb[:40] + bytes(len(dtb) - 40)):
        with pytest.raises(TreeError):
            read_tree(broken)


@pytest.mark.parametrize("old, new, message", [
    (b"n@0\0", b"n/0\0", "node name 'n/0' in / is not a device tree name"),
    (b"m@0\0", b"n@0\0", "two nodes named 'n@0' in /"),
    (b"compatible\0", b"compatibl\xe9\0", "not UTF-8"),
])
def test_read_tree_refuses_names_dtc_would_not_write(tmp_path, old, new, message):
    dtb = _dtb(tmp_path, '\tcompatible = "x";\n\tn@0 { };\n\tm@0 { };\n')
    assert old in dtb
    with pytest.raises(TreeError, match=message):
        read_tree(dtb.replace(old, new, 1))
