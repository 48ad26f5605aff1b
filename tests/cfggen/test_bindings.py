"""Device bindings (tools/cfggen/bindings/*.yaml): the schema, and that the checks read them."""

import re
import shutil

import pytest
import yaml

import device_bindings
import rules
from cfgtest import REPO, edited, guest_dts, run_in_process, uboot, write_config

TYPES_HPP = REPO / "core" / "config" / "types.hpp"


# --- schema --------------------------------------------------------------------

@pytest.mark.parametrize("path", device_bindings.binding_files(),
                         ids=lambda path: path.rsplit("/", 1)[-1])
def test_binding_file_loads_and_has_every_key(path):
    with open(path, encoding="utf-8") as source:
        data = yaml.safe_load(source)
    assert isinstance(data, dict)
    assert sorted(data) == sorted(device_bindings.KEYS)
    binding = device_bindings.load_file(path)
    assert binding.compatible
    if binding.host_driver is not None:
        assert "reg" in binding.host_driver.required
    if binding.emulated is not None:
        assert "reg" in binding.emulated.required
        assert not binding.hypervisor_owned or binding.emulated.kind == "Plic"


def test_catalogue_has_each_compatible_once():
    found = device_bindings.catalogue()
    assert len(device_bindings.binding_files()) >= 10
    for name in ("riscv,plic0", "sifive,plic-1.0.0", "ns16550a", "ns16550", "virtio,mmio",
                 "google,goldfish-rtc", "sifive,uart0", "sifive,test0", "riscv,clint0",
                 "riscv,aplic", "riscv,imsics"):
        assert name in found, name
    assert found["virtio,mmio"].dma_capable
    assert not found["google,goldfish-rtc"].dma_capable
    for owned in ("riscv,plic0", "riscv,aplic", "riscv,imsics", "riscv,clint0",
                  "riscv,aclint-mswi", "sifive,test0"):
        assert found[owned].hypervisor_owned, owned


def test_driver_kinds_are_the_runtimes_enumerators():
    """Each host-driver and emulated kind names an enumerator of core/config/types.hpp."""
    text = TYPES_HPP.read_text()

    def enumerators(name):
        body = re.search(rf"enum class {name} : std::uint8_t {{(.*?)}};", text, re.S)[1]
        return set(re.findall(r"\b([A-Z][A-Za-z0-9]*)\b", re.sub(r"//[^\n]*", "", body)))

    kinds = {"console": enumerators("ConsoleKind"), "poweroff": enumerators("PoweroffKind"),
             "interrupt-controller": {"Plic"}}
    for binding in set(device_bindings.catalogue().values()):
        if binding.host_driver is not None:
            assert binding.host_driver.kind in kinds[binding.host_driver.use], binding.file
        if binding.emulated is not None:
            assert binding.emulated.kind in enumerators("EmulatedKind"), binding.file


def test_dev_005_hint_names_every_emulated_compatible():
    hint = rules.rule("CFG-DEV-005").hint
    for name in device_bindings.compatibles(lambda binding: binding.emulated is not None):
        assert f'"{name}"' in hint


GOOD = """description: a widget
compatible: ["acme,widget"]
dma-capable: false
hypervisor-owned: false
host-supported: true
host-driver: null
emulated: null
"""


@pytest.mark.parametrize("replacement, message", [
    (("dma-capable: false\n", ""), "missing keys ['dma-capable']"),
    (("emulated: null\n", "emulated: null\ncolour: red\n"), "unknown keys ['colour']"),
    (("dma-capable: false", "dma-capable: maybe"), "dma-capable must be true or false"),
    (('compatible: ["acme,widget"]', "compatible: []"), "compatible must be a list"),
    (("host-driver: null", "host-driver: {use: console, kind: Acme, required: [reg]}"),
     "host-driver kind of a console must be one of Ns16550, SifiveUart"),
    (("host-driver: null", "host-driver: {use: disk, kind: Acme, required: [reg]}"),
     "host-driver use must be one of"),
    (("emulated: null", "emulated: {kind: Ns16550}"), "emulated must be null or a mapping"),
    (("emulated: null", "emulated: {kind: Gpio, required: [reg]}"),
     "emulated kind must be one of Plic, Ns16550"),
    (("description: a widget", "description: [a, widget]"), "description must be"),
    (("compatible:", "compatible: : :"), "widget.yaml"),
])
def test_malformed_binding_is_refused(tmp_path, replacement, message):
    path = tmp_path / "widget.yaml"
    path.write_text(edited(GOOD, replacement))
    with pytest.raises(device_bindings.BindingError, match=re.escape(message)):
        device_bindings.load_file(str(path))


def test_binding_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- description\n- compatible\n")
    with pytest.raises(device_bindings.BindingError, match="list.yaml: expected a mapping"):
        device_bindings.load_file(str(path))


def test_compatible_in_two_files_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(device_bindings.BindingError, match="also in a.yaml"):
        device_bindings.catalogue(str(tmp_path))


# --- the checks read the bindings ---------------------------------------------

@pytest.fixture
def bindings(tmp_path, monkeypatch):
    """A private copy of the bindings that cfggen (run in this process) reads."""
    directory = tmp_path / "bindings"
    shutil.copytree(device_bindings.BINDING_DIR, directory)
    monkeypatch.setattr(device_bindings, "BINDING_DIR", str(directory))

    def edit(name, *replacements):
        path = directory / name
        path.write_text(edited(path.read_text(), *replacements))
        device_bindings.forget()
    yield edit
    device_bindings.forget()


def check(scenario):
    return run_in_process("check", "--scenario", scenario, cwd=scenario.parent)


RTC_GUEST = ("\n\trtc@101000 {\n"
             '\t\tcompatible = "google,goldfish-rtc";\n'
             "\t\treg = <0x0 0x101000 0x0 0x1000>;\n"
             '\t\ttessera,passthrough = "/soc/rtc@101000";\n'
             "\t};\n")


def test_dma_finding_follows_the_dma_capable_flag(tmp_path, bindings):
    work = tmp_path / "work"
    work.mkdir()
    scenario = write_config(work, {"alpha.dts": guest_dts(nodes=RTC_GUEST)})
    status, _, stderr = check(scenario)
    assert status == 0 and "CFG-DMA-001" not in stderr
    bindings("goldfish-rtc.yaml", ("dma-capable: false", "dma-capable: true"))
    status, stdout, stderr = check(scenario)
    assert status == 0
    assert "warning: [CFG-DMA-001] /rtc@101000: DMA-capable device (google,goldfish-rtc)" \
        in stderr
    assert "WARN  CFG-DMA-001" in stdout


def test_emulated_devices_follow_the_bindings(tmp_path, bindings):
    work = tmp_path / "work"
    work.mkdir()
    scenario = uboot(work)
    assert check(scenario)[0] == 0
    bindings("ns16550.yaml", ("emulated:\n  kind: Ns16550\n  required: [reg]",
                              "emulated:\n  kind: Ns16550\n  required: [reg, clock-frequency, "
                              "current-speed]"))
    status, _, stderr = check(scenario)
    assert status == 1
    assert ("[CFG-EMU-003] /soc/serial@10000000: an emulated 16550-compatible UART needs "
            "current-speed (bindings/ns16550.yaml)") in stderr
    assert "clock-frequency (bindings" not in stderr  # the fixture's UART has it
    bindings("ns16550.yaml", ("emulated:\n  kind: Ns16550\n  required: [reg, clock-frequency, "
                              "current-speed]", "emulated: null"))
    status, _, stderr = check(scenario)
    assert status == 1
    assert "[CFG-DEV-005] /soc/serial@10000000: device (compatible ns16550a) is neither" \
        in stderr


def test_host_devices_follow_the_bindings(tmp_path, bindings):
    work = tmp_path / "work"
    work.mkdir()
    scenario = write_config(work, {"alpha.dts": guest_dts(nodes=RTC_GUEST)})
    bindings("goldfish-rtc.yaml", ("hypervisor-owned: false", "hypervisor-owned: true"))
    status, _, stderr = check(scenario)
    assert status == 1
    assert "[CFG-DEV-006] /rtc@101000: host /soc/rtc@101000 is the host's Goldfish real-time " \
           "clock (bindings/goldfish-rtc.yaml)" in stderr
    bindings("goldfish-rtc.yaml", ("hypervisor-owned: true", "hypervisor-owned: false"),
             ("host-supported: true", "host-supported: false"))
    assert "[CFG-PLAT-002] /soc/rtc@101000: Goldfish real-time clock" in check(scenario)[2]
    bindings("ns16550.yaml", ("  use: console\n  kind: Ns16550\n  required: [reg]",
                              "  use: console\n  kind: Ns16550\n  required: [reg, \"acme,fifo\"]"))
    assert "[CFG-PLAT-001] /soc/serial@10000000: the console needs acme,fifo" \
        in check(scenario)[2]


def test_a_broken_binding_is_an_error_not_a_traceback(tmp_path, bindings):
    work = tmp_path / "work"
    work.mkdir()
    scenario = write_config(work, {"alpha.dts": guest_dts()})
    bindings("virtio-mmio.yaml", ("dma-capable: true", "dma-capable: yes please"))
    status, _, stderr = check(scenario)
    assert status == 1
    assert "cfggen: error: broken device binding (tools/cfggen/bindings): virtio-mmio.yaml: " \
           "dma-capable must be true or false" in stderr
