"""One passing and one failing configuration for every rule of tools/cfggen/rules.py.

Each fixture starts from a small base configuration and edits it:

  alpha   one guest (alpha.dts from cfgtest.guest_dts): hart 1, 64 MiB of RAM
          seen at 0x80000000, living at 0x88000000, an ELF image at 0x80000000
  pair    alpha and beta (hart 2, RAM at host 0x90000000)
  uboot   fixtures/uboot.dts: emulated PLIC and 16550, passthrough virtio-mmio
          on interrupt 8, split RAM (tessera,host-ranges)

Edits are (file, old text, new text) triples, applied once each; "host.dts"
is a private copy of the platform's host DT. A failing fixture also says
where its error must be reported: the file, a text on the line, the node.
test_rule_cases.py runs them; rules_doc.py lists them in docs/rules.md.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from cfgtest import (FIXTURES, PLATFORM_ROOT, UBOOT_ELF, MiB, code, default_image, edited,
                     guest_dts, make_elf, scenario_dts)

ALPHA, BETA, UBOOT, HOST, SCENARIO = ("alpha.dts", "beta.dts", "uboot.dts", "host.dts",
                                      "test.scenario.dts")


@dataclass(frozen=True)
class Fixture:
    what: str                   # one line for docs/rules.md
    base: str = "alpha"         # alpha, pair or uboot
    edits: tuple = ()           # (file, old, new)
    files: tuple = ()           # (name, bytes): extra files beside the guests
    platform: str = "qemu-virt"


@dataclass(frozen=True)
class Failure(Fixture):
    file: str = ALPHA           # where the error is reported
    needle: str = ""            # text on the reported line
    node: str = ""              # the reported node ("": none, e.g. a dtc syntax error)
    occurrence: int = 1         # which line holding `needle`


@dataclass(frozen=True)
class RuleCase:
    passing: Fixture
    failing: Failure


# --- building blocks -------------------------------------------------------------

MEMORY_END = "\t\ttessera,host-address = <0x0 0x88000000>;\n\t};\n"  # end of alpha's RAM
CPU0_END = "\t\t\ttessera,hart = <1>;\n\t\t};\n"                      # end of alpha's cpu@0
UBOOT_VIRTIO = "\t\tvirtio_mmio@10008000 {"
HOST_VIRTIO0 = "\t\tvirtio0: virtio_mmio@10001000 {"
VIRTIO = "/soc/virtio_mmio@10008000"
UBOOT_PLIC = "/soc/interrupt-controller@c000000"


def alpha_nodes(text):
    """Add `text` (nodes) to alpha's root, after its memory node."""
    return (ALPHA, MEMORY_END, MEMORY_END + text)


def beta_nodes(text):
    """Add `text` (nodes) to beta's root, after its memory node."""
    end = MEMORY_END.replace("0x88000000", "0x90000000")
    return (BETA, end, end + text)


def alpha_cpu(text):
    """Add `text` (nodes) to alpha's /cpus, after cpu@0."""
    return (ALPHA, CPU0_END, CPU0_END + text)


def alpha_root(text):
    """Add `text` (properties) to alpha's root node."""
    return (ALPHA, 'tessera,image = "alpha.elf";', 'tessera,image = "alpha.elf";\n' + text)


def uboot_soc(text):
    """Add `text` (nodes) to the U-Boot fixture's /soc, before its virtio node."""
    return (UBOOT, UBOOT_VIRTIO, text + UBOOT_VIRTIO)


def host_soc(text):
    """Add `text` (nodes) to the host's /soc."""
    return (HOST, HOST_VIRTIO0, text + HOST_VIRTIO0)


def node(name, *lines, indent=1):
    tabs = "\t" * indent
    body = "".join(f"{tabs}\t{line}\n" for line in lines)
    return f"\n{tabs}{name} {{\n{body}{tabs}}};\n"


def host_uart(address):
    return node(f"serial@{address:x}", 'compatible = "ns16550a";',
                f"reg = <0x0 {address:#x} 0x0 0x100>;", indent=2)


RTC = node("rtc@101000", 'compatible = "google,goldfish-rtc";', "reg = <0x0 0x101000 0x0 0x1000>;",
           'tessera,passthrough = "/soc/rtc@101000";')
VIRTIO_PASSTHROUGH = node("virtio@10001000", 'compatible = "virtio,mmio";',
                          "reg = <0x0 0x10001000 0x0 0x1000>;",
                          'tessera,passthrough = "/soc/virtio_mmio@10001000";')
SECOND_UART = node("serial@10001000", 'compatible = "ns16550";', "reg = <0x0 0x10001000 0x0 0x8>;",
                   indent=2)
THIRD_UART = node("serial@10002000", 'compatible = "ns16550a";', "reg = <0x0 0x10002000 0x0 0x8>;",
                  indent=2)
GOLDFISH_IN_GUEST = node("rtc@101000", 'compatible = "google,goldfish-rtc";',
                         "reg = <0x0 0x101000 0x0 0x1000>;", indent=2)
WIDGET = node("widget@10020000", 'compatible = "acme,widget";',
              "reg = <0x0 0x10020000 0x0 0x1000>;", indent=2)


def flash(reg):
    return node("flash@20000000", 'compatible = "cfi-flash";', f"reg = <{reg}>;",
                'status = "disabled";')


def soc_with_rtc(ranges):
    return node("soc", "#address-cells = <2>;", "#size-cells = <2>;", 'compatible = "simple-bus";',
                f"ranges = <{ranges}>;", "rtc@101000 {", '\tcompatible = "google,goldfish-rtc";',
                "\treg = <0x0 0x101000 0x0 0x1000>;", "\ttessera,passthrough;", "};")


def second_cpu(name, reg, *extra):
    return node(name, *extra, f"reg = <{reg}>;", 'compatible = "riscv";', indent=2)


def with_isa(isa):
    return (ALPHA, 'compatible = "riscv";', f'compatible = "riscv";\n\t\t\triscv,isa = "{isa}";')


ON_ROCKET = ((ALPHA, "timebase-frequency = <10000000>;", "timebase-frequency = <1000000>;"),
             (ALPHA, "0x0 0x80000000 0x0 0x4000000", "0x0 0x80000000 0x0 0x1000000"),
             (ALPHA, "<0x0 0x88000000>", "<0x0 0x84000000>"))
FLAT = (("alpha.bin", code(0x800)),)
IDENTITY_RAM_AT_88 = ((ALPHA, "memory@80000000 {", "memory@88000000 {"),
                      (ALPHA, "reg = <0x0 0x80000000 0x0 0x4000000>;",
                       "reg = <0x0 0x88000000 0x0 0x4000000>;"),
                      (ALPHA, "\t\ttessera,host-address = <0x0 0x88000000>;\n", ""),
                      (ALPHA, 'tessera,image = "alpha.elf";',
                       'tessera,image = "alpha.bin";\n\ttessera,load-address = <0x0 0x88000000>;'))
ALPHA_CPU0 = ('\t\tcpu@0 {\n\t\t\tdevice_type = "cpu";\n\t\t\treg = <0>;\n'
              '\t\t\tcompatible = "riscv";\n\t\t\ttessera,hart = <1>;\n\t\t};\n')
ALPHA_MEMORY = ('\tmemory@80000000 {\n\t\tdevice_type = "memory";\n'
                "\t\treg = <0x0 0x80000000 0x0 0x4000000>;\n" + MEMORY_END)
VIRTIO6_IRQ = "reg = <0x0 0x10007000 0x0 0x1000>;\n\t\t\tinterrupt-parent = <&plic>;\n\t\t\t"
VIRTIO_IRQ = "interrupt-parent = <&plic>;\n\t\t\tinterrupts = <8>;"
SECOND_VIRTIO = node("virtio_mmio@10007000", 'compatible = "virtio,mmio";',
                     "reg = <0x0 0x10007000 0x0 0x1000>;", "interrupt-parent = <&plic>;",
                     "interrupts = <7>;", "tessera,passthrough;", indent=2)
UART_AT_87 = ((UBOOT, "serial@10000000 {", "serial@87000000 {"),
              (UBOOT, "reg = <0x0 0x10000000 0x0 0x100>;", "reg = <0x0 0x87000000 0x0 0x100>;"))
CONSOLE_OWNER_UBOOT = ((SCENARIO, 'tessera,partitions = "uboot.dts";',
                        'tessera,partitions = "uboot.dts";\n\ttessera,console-owner = "uboot";'),
                       (UBOOT, "clock-frequency = <3686400>;",
                        "clock-frequency = <3686400>;\n\t\t\ttessera,passthrough;"))
CONSOLE_OWNER_ALPHA = (SCENARIO, 'tessera,partitions = "alpha.dts";',
                       'tessera,partitions = "alpha.dts";\n\ttessera,console-owner = "alpha";')
PLAIN = "the plain alpha guest"
UBOOT_AS_IT_IS = "the U-Boot-like fixture as it is"

# --- the table ----------------------------------------------------------------------

CASES = {
    "CFG-DT-001": RuleCase(
        Fixture(PLAIN),
        Failure("junk after a property value", edits=(
            (ALPHA, 'tessera,image = "alpha.elf";', 'tessera,image = "alpha.elf" junk;'),),
            needle="junk")),
    "CFG-DT-002": RuleCase(
        Fixture(PLAIN + ": tessera,hart = <1>, one cell"),
        Failure("tessera,hart = <1 2>, two cells",
                edits=((ALPHA, "tessera,hart = <1>", "tessera,hart = <1 2>"),),
                needle="tessera,hart = <1 2>", node="/cpus/cpu@0")),
    "CFG-DT-003": RuleCase(
        Fixture(PLAIN + ": tessera,name, image, hart and host-address, each on its node"),
        Failure("tessera,host-adress, misspelt",
                edits=((ALPHA, "tessera,host-address", "tessera,host-adress"),),
                needle="tessera,host-adress", node="/memory@80000000")),
    "CFG-DT-004": RuleCase(
        Fixture("a disabled node's reg of 4 cells where / has 2 + 2",
                edits=(alpha_nodes(flash("0x0 0x20000000 0x0 0x1000")),)),
        Failure("a disabled node's reg of 2 cells where / has 2 + 2",
                edits=(alpha_nodes(flash("0x20000000 0x1000")),),
                needle="reg = <0x20000000", node="/flash@20000000")),
    "CFG-DT-005": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": the UART, virtio and PLIC interrupt references resolve",
                base="uboot"),
        Failure("/soc's interrupt-parent = <0x77> names no node", base="uboot", edits=(
            (UBOOT, 'compatible = "simple-bus";',
             'compatible = "simple-bus";\n\t\tinterrupt-parent = <0x77>;'),),
            file=UBOOT, needle="interrupt-parent = <0x77>", node="/soc")),
    "CFG-DT-006": RuleCase(
        Fixture("a bus with ranges mapping 0x100000 to 0x100000, a passthrough RTC on it",
                edits=(alpha_nodes(soc_with_rtc("0x0 0x100000 0x0 0x100000 0x0 0x10000")),)),
        Failure("the same bus mapping child address 0 to 0x100000",
                edits=(alpha_nodes(soc_with_rtc("0x0 0x0 0x0 0x100000 0x0 0x10000")),),
                needle="ranges =", node="/soc")),
    "CFG-SCN-001": RuleCase(
        Fixture('a scenario with compatible = "tessera,scenario", a platform and one partition'),
        Failure('the scenario\'s compatible is "acme,scenario"',
                edits=((SCENARIO, "tessera,scenario", "acme,scenario"),),
                file=SCENARIO, needle="compatible", node="/")),
    "CFG-NAME-001": RuleCase(
        Fixture("two partitions named alpha and beta", base="pair"),
        Failure("two partitions both named alpha", base="pair",
                edits=((BETA, 'tessera,name = "beta";', 'tessera,name = "alpha";'),),
                file=BETA, needle="tessera,name", node="/")),
    "CFG-HART-001": RuleCase(
        Fixture(PLAIN + ": cpu@0 has tessera,hart = <1>"),
        Failure("cpu@0 without tessera,hart",
                edits=((ALPHA, "\n\t\t\ttessera,hart = <1>;", ""),),
                needle="cpu@0 {", node="/cpus/cpu@0")),
    "CFG-HART-002": RuleCase(
        Fixture(PLAIN + ": physical hart 1 of qemu-virt's 0..3"),
        Failure("physical hart 7, which qemu-virt does not have",
                edits=((ALPHA, "tessera,hart = <1>", "tessera,hart = <7>"),),
                needle="tessera,hart = <7>", node="/cpus/cpu@0")),
    "CFG-HART-003": RuleCase(
        Fixture("alpha on hart 1, beta on hart 2", base="pair"),
        Failure("alpha and beta both on hart 1", base="pair",
                edits=((BETA, "tessera,hart = <2>", "tessera,hart = <1>"),),
                file=BETA, needle="tessera,hart = <1>", node="/cpus/cpu@0")),
    "CFG-HART-004": RuleCase(
        Fixture("two cpus, virtual harts 0 and 1",
                edits=(alpha_cpu(second_cpu("cpu@1", 1, 'device_type = "cpu";',
                                            "tessera,hart = <2>;")),)),
        Failure("two cpus, virtual harts 0 and 2",
                edits=(alpha_cpu(second_cpu("cpu@2", 2, 'device_type = "cpu";',
                                            "tessera,hart = <2>;")),),
                needle="reg = <2>", node="/cpus/cpu@2")),
    "CFG-HART-005": RuleCase(
        Fixture(PLAIN + ": one cpu"),
        Failure("/cpus without a cpu node", edits=((ALPHA, ALPHA_CPU0, ""),),
                needle="cpus {", node="/cpus")),
    "CFG-HART-006": RuleCase(
        Fixture("a cpu-map node beside the cpu",
                edits=(alpha_cpu(node("cpu-map", "cluster0 {", "};", indent=2)),)),
        Failure('a cpu@1 node without device_type = "cpu"',
                edits=(alpha_cpu(second_cpu("cpu@1", 1)),),
                needle="cpu@1 {", node="/cpus/cpu@1")),
    "CFG-MEM-001": RuleCase(
        Fixture(PLAIN + ": RAM at host 0x88000000, inside host RAM"),
        Failure("RAM at host 0xc0000000, past the end of host RAM",
                edits=((ALPHA, "<0x0 0x88000000>", "<0x0 0xc0000000>"),),
                needle="tessera,host-address", node="/memory@80000000")),
    "CFG-MEM-002": RuleCase(
        Fixture(PLAIN + ": RAM at host 0x88000000, above the hypervisor's region"),
        Failure("RAM at host 0x83000000, over the hypervisor's region",
                edits=((ALPHA, "<0x0 0x88000000>", "<0x0 0x83000000>"),),
                needle="tessera,host-address", node="/memory@80000000")),
    "CFG-MEM-003": RuleCase(
        Fixture("alpha's RAM at host 0x88000000, beta's at 0x90000000", base="pair"),
        Failure("beta's RAM at host 0x8a000000, over alpha's", base="pair",
                edits=((BETA, "<0x0 0x90000000>", "<0x0 0x8a000000>"),),
                file=BETA, needle="tessera,host-address", node="/memory@80000000")),
    "CFG-MEM-004": RuleCase(
        Fixture(PLAIN + ": 64 MiB of RAM"),
        Failure("64 MiB + 0x800 of RAM",
                edits=((ALPHA, "0x0 0x80000000 0x0 0x4000000", "0x0 0x80000000 0x0 0x4000800"),),
                needle="reg = <0x0 0x80000000", node="/memory@80000000")),
    "CFG-MEM-005": RuleCase(
        Fixture(PLAIN + ": one memory node"),
        Failure("no memory node", edits=((ALPHA, ALPHA_MEMORY, ""),), needle="/ {", node="/")),
    "CFG-MEM-006": RuleCase(
        Fixture("an emulated UART at 0x10000000",
                edits=(alpha_nodes(node("serial@10000000", 'compatible = "ns16550a";',
                                        "reg = <0x0 0x10000000 0x0 0x100>;")),)),
        Failure("an emulated UART at 0x20000000000, beyond Sv39x4",
                edits=(alpha_nodes(node("serial@20000000000", 'compatible = "ns16550a";',
                                        "reg = <0x200 0x0 0x0 0x100>;")),),
                needle="reg = <0x200 0x0", node="/serial@20000000000")),
    "CFG-MEM-007": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": two windows tile its 128 MiB", base="uboot"),
        Failure("the second window 16 MiB short", base="uboot", edits=(
            (UBOOT, "0x0 0x84000000  0x0 0x84000000  0x0 0x4000000",
             "0x0 0x84000000  0x0 0x84000000  0x0 0x3000000"),),
            file=UBOOT, needle="tessera,host-ranges = ", node="/memory@80000000")),
    "CFG-DEV-001": RuleCase(
        Fixture("the host's goldfish RTC passed through", edits=(alpha_nodes(RTC),)),
        Failure("a passthrough naming /soc/rtc@999000, which the host does not have",
                edits=(alpha_nodes(RTC.replace('"/soc/rtc@101000"', '"/soc/rtc@999000"')),),
                needle="tessera,passthrough", node="/rtc@101000")),
    "CFG-DEV-002": RuleCase(
        Fixture("the RTC passed through with the host's reg size 0x1000",
                edits=(alpha_nodes(RTC),)),
        Failure("the RTC passed through with reg size 0x2000",
                edits=(alpha_nodes(RTC.replace("0x0 0x1000>", "0x0 0x2000>")),),
                needle="reg = <0x0 0x101000", node="/rtc@101000")),
    "CFG-DEV-003": RuleCase(
        Fixture("alpha gets the RTC, beta a virtio slot", base="pair",
                edits=(alpha_nodes(RTC), beta_nodes(VIRTIO_PASSTHROUGH))),
        Failure("alpha and beta both get the RTC", base="pair",
                edits=(alpha_nodes(RTC), beta_nodes(RTC)),
                file=BETA, needle="tessera,passthrough", node="/rtc@101000")),
    "CFG-DEV-004": RuleCase(
        Fixture("the RTC passed through: registers, not RAM", edits=(alpha_nodes(RTC),)),
        Failure("the hypervisor's reserved region passed through as a device",
                edits=(alpha_nodes(node("hv@40000000", "reg = <0x0 0x40000000 0x0 0x3e00000>;",
                                        'tessera,passthrough = '
                                        '"/reserved-memory/hypervisor@80200000";')),),
                needle="reg = <0x0 0x40000000", node="/hv@40000000")),
    "CFG-DEV-005": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": PLIC and UART emulated, virtio passed through",
                base="uboot"),
        Failure("a goldfish RTC node neither passed through nor emulated", base="uboot",
                edits=(uboot_soc(GOLDFISH_IN_GUEST),), file=UBOOT, needle="rtc@101000 {",
                node="/soc/rtc@101000")),
    "CFG-DEV-006": RuleCase(
        Fixture("the RTC, which a guest may have, passed through", edits=(alpha_nodes(RTC),)),
        Failure("the host PLIC passed through",
                edits=(alpha_nodes(node("plic@c000000", "reg = <0x0 0xc000000 0x0 0x600000>;",
                                        'tessera,passthrough = "/soc/plic@c000000";')),),
                needle="tessera,passthrough", node="/plic@c000000")),
    "CFG-DEV-007": RuleCase(
        Fixture("a second host UART, alone in its page, passed through",
                edits=(host_soc(host_uart(0x10010000)),
                       alpha_nodes(node("uart@10010000", "reg = <0x0 0x10010000 0x0 0x100>;",
                                        'tessera,passthrough = "/soc/serial@10010000";')))),
        Failure("a host UART sharing its page with another passed through",
                edits=(host_soc(host_uart(0x10010000) + host_uart(0x10010100)),
                       alpha_nodes(node("uart@10010000", "reg = <0x0 0x10010000 0x0 0x100>;",
                                        'tessera,passthrough = "/soc/serial@10010000";'))),
                needle="reg = <0x0 0x10010000", node="/uart@10010000")),
    "CFG-CON-001": RuleCase(
        Fixture('tessera,console-owner = "uboot", which passes the console UART through with '
                "its interrupt", base="uboot", edits=CONSOLE_OWNER_UBOOT),
        Failure('tessera,console-owner = "alpha", which does not pass the console through',
                edits=(CONSOLE_OWNER_ALPHA,), file=SCENARIO, needle="tessera,console-owner",
                node="/")),
    "CFG-EMU-001": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": riscv,ndev = <31>", base="uboot"),
        Failure("the emulated PLIC with riscv,ndev = <128>", base="uboot",
                edits=((UBOOT, "riscv,ndev = <31>;", "riscv,ndev = <128>;"),),
                file=UBOOT, needle="riscv,ndev", node=UBOOT_PLIC)),
    "CFG-EMU-002": RuleCase(
        Fixture("the fixture with a second emulated UART", base="uboot",
                edits=(uboot_soc(SECOND_UART),)),
        Failure("the fixture with a third emulated UART", base="uboot",
                edits=(uboot_soc(SECOND_UART + THIRD_UART),),
                file=UBOOT, needle="serial@10002000 {", node="/soc/serial@10002000")),
    "CFG-EMU-003": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": the UART has byte registers", base="uboot"),
        Failure("the emulated UART with reg-shift = <2>", base="uboot", edits=(
            (UBOOT, "clock-frequency = <3686400>;",
             "clock-frequency = <3686400>;\n\t\t\treg-shift = <2>;"),),
            file=UBOOT, needle="reg-shift", node="/soc/serial@10000000")),
    "CFG-EMU-004": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": the UART at 0x10000000, clear of RAM and virtio",
                base="uboot"),
        Failure("the emulated UART moved into guest RAM at 0x87000000", base="uboot",
                edits=UART_AT_87, file=UBOOT, needle="reg = <0x0 0x87000000",
                node="/soc/serial@87000000")),
    "CFG-IRQ-001": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": virtio's interrupt goes to the emulated PLIC",
                base="uboot"),
        Failure("virtio's interrupt-parent is the cpu's interrupt controller", base="uboot",
                edits=((UBOOT, VIRTIO_IRQ, VIRTIO_IRQ.replace("&plic", "&cpu0_intc")),),
                file=UBOOT, needle="interrupts = <8>", node=VIRTIO)),
    "CFG-IRQ-002": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": host interrupt 8 routed once", base="uboot"),
        Failure("two passthrough devices raising host interrupt 8", base="uboot",
                edits=((HOST, VIRTIO6_IRQ + "interrupts = <7>;", VIRTIO6_IRQ + "interrupts = <8>;"),
                       uboot_soc(SECOND_VIRTIO)),
                file=UBOOT, needle="interrupts = <8>", node=VIRTIO)),
    "CFG-IRQ-003": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": UART on 10, virtio on 8", base="uboot"),
        Failure("virtio on guest interrupt 10 too", base="uboot",
                edits=((UBOOT, "interrupts = <8>;", "interrupts = <10>;"),),
                file=UBOOT, needle="interrupts = <10>", node=VIRTIO, occurrence=2)),
    "CFG-IRQ-004": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": guest interrupt 8 of 1..31", base="uboot"),
        Failure("virtio on guest interrupt 40, above riscv,ndev = <31>", base="uboot",
                edits=((UBOOT, "interrupts = <8>;", "interrupts = <40>;"),),
                file=UBOOT, needle="interrupts = <40>", node=VIRTIO)),
    "CFG-CPU-001": RuleCase(
        Fixture(UBOOT_AS_IT_IS + ": both cpus list sstc", base="uboot"),
        Failure("cpu@0 without sstc, cpu@1 with", base="uboot", edits=(
            (UBOOT, 'riscv,isa = "rv64imafdc_zicsr_zifencei_sstc";',
             'riscv,isa = "rv64imafdc_zicsr_zifencei";'),),
            file=UBOOT, needle='riscv,isa = "rv64imafdc_zicsr_zifencei";', node="/cpus/cpu@0")),
    "CFG-CPU-002": RuleCase(
        Fixture("alpha without sstc on fpga-rocket, which has none", platform="fpga-rocket",
                edits=ON_ROCKET + (with_isa("rv64imac_zicsr"),)),
        Failure("alpha with sstc on fpga-rocket", platform="fpga-rocket",
                edits=ON_ROCKET + (with_isa("rv64imac_zicsr_sstc"),),
                needle="riscv,isa", node="/cpus/cpu@0")),
    "CFG-CPU-003": RuleCase(
        Fixture(PLAIN + ": timebase-frequency 10 MHz like qemu-virt's"),
        Failure("timebase-frequency 1 MHz",
                edits=((ALPHA, "timebase-frequency = <10000000>;",
                        "timebase-frequency = <1000000>;"),),
                needle="timebase-frequency", node="/cpus")),
    "CFG-FLT-001": RuleCase(
        Fixture('tessera,fault-policy = "restart" and tessera,watchdog-ms = <100>',
                edits=((ALPHA, 'tessera,image = "alpha.elf";',
                        'tessera,image = "alpha.elf";\n\ttessera,fault-policy = "restart";'
                        '\n\ttessera,watchdog-ms = <100>;'),)),
        Failure('tessera,fault-policy = "reboot"',
                edits=((ALPHA, 'tessera,image = "alpha.elf";',
                        'tessera,image = "alpha.elf";\n\ttessera,fault-policy = "reboot";'),),
                needle="tessera,fault-policy", node="/")),
    "CFG-IMG-001": RuleCase(
        Fixture(PLAIN + ": alpha.elf exists"),
        Failure('tessera,image = "missing.elf"',
                edits=((ALPHA, '"alpha.elf"', '"missing.elf"'),), needle="tessera,image",
                node="/")),
    "CFG-IMG-002": RuleCase(
        Fixture("a flat binary with tessera,load-address", files=FLAT, edits=(
            (ALPHA, 'tessera,image = "alpha.elf";',
             'tessera,image = "alpha.bin";\n\ttessera,load-address = <0x0 0x80000000>;'),)),
        Failure("a flat binary without tessera,load-address", files=FLAT,
                edits=((ALPHA, '"alpha.elf"', '"alpha.bin"'),), needle="tessera,image",
                node="/")),
    "CFG-IMG-003": RuleCase(
        Fixture("tessera,dtb-address = 0x82000000, clear of the image",
                edits=(alpha_root("\ttessera,dtb-address = <0x0 0x82000000>;"),)),
        Failure("tessera,dtb-address = 0x80001000, on the image",
                edits=(alpha_root("\ttessera,dtb-address = <0x0 0x80001000>;"),),
                needle="tessera,dtb-address", node="/")),
    "CFG-IMG-004": RuleCase(
        Fixture("tessera,entry = 0x80000100, in RAM",
                edits=(alpha_root("\ttessera,entry = <0x0 0x80000100>;"),)),
        Failure("tessera,entry = 0x90000000, outside RAM",
                edits=(alpha_root("\ttessera,entry = <0x0 0x90000000>;"),),
                needle="tessera,entry", node="/")),
    "CFG-HV-001": RuleCase(
        Fixture("qemu-virt's host DT as it is: one tessera,hypervisor region"),
        Failure("the host DT's hypervisor region without its compatible",
                edits=((HOST, 'compatible = "tessera,hypervisor";', ""),),
                file=HOST, needle="reserved-memory {", node="/reserved-memory")),
    "CFG-PLAT-001": RuleCase(
        Fixture("qemu-virt's host DT as it is: a 16550 console, timebase, PLIC"),
        Failure("the host DT without timebase-frequency",
                edits=((HOST, "timebase-frequency = <10000000>;", ""),),
                file=HOST, needle="cpus {", node="/cpus")),
    "CFG-PLAT-002": RuleCase(
        Fixture("a host device without a binding, but disabled",
                edits=(host_soc(WIDGET.replace('"acme,widget";',
                                               '"acme,widget";\n\t\t\tstatus = "disabled";')),)),
        Failure("an enabled host device without a binding (acme,widget)",
                edits=(host_soc(WIDGET),), file=HOST, needle='"acme,widget"',
                node="/soc/widget@10020000")),
    "CFG-DMA-001": RuleCase(
        Fixture("identity-mapped RAM with a passthrough virtio device", files=FLAT,
                edits=IDENTITY_RAM_AT_88 + ((ALPHA, "\t\tdevice_type = \"memory\";\n"
                                            "\t\treg = <0x0 0x88000000 0x0 0x4000000>;\n\t};\n",
                                            "\t\tdevice_type = \"memory\";\n"
                                            "\t\treg = <0x0 0x88000000 0x0 0x4000000>;\n\t};\n"
                                            + VIRTIO_PASSTHROUGH),)),
        Failure(UBOOT_AS_IT_IS + ": virtio with RAM partly relocated (a warning)",
                base="uboot", file=UBOOT, needle="tessera,passthrough;", node=VIRTIO)),
}


# --- building a fixture -------------------------------------------------------------

def _base(name):
    """{file name: text} of a base configuration (the guests only)."""
    if name == "alpha":
        return {ALPHA: guest_dts("alpha")}
    if name == "pair":
        return {ALPHA: guest_dts("alpha"),
                BETA: guest_dts("beta", image="beta.elf", harts=((0, 2),),
                                memory=((0x80000000, 64 * MiB, 0x90000000),))}
    if name == "uboot":
        return {UBOOT: (FIXTURES / UBOOT).read_text()}
    raise ValueError(f"unknown base {name}")


def build(fixture, directory):
    """Write `fixture` into `directory`; returns (scenario path, platform root)."""
    directory = Path(directory)
    texts = _base(fixture.base)
    guests = list(texts)
    root = directory / "platforms"
    shutil.copytree(PLATFORM_ROOT / fixture.platform, root / fixture.platform)
    texts[HOST] = (root / fixture.platform / "host.dts").read_text()
    texts[SCENARIO] = scenario_dts(guests, fixture.platform)
    for file_name, old, new in fixture.edits:
        texts[file_name] = edited(texts[file_name], (old, new))
    for file_name, text in texts.items():
        path_of(fixture, directory, file_name).write_text(text)
    for guest in guests:
        if guest == UBOOT:
            make_elf(directory / "uboot.elf", UBOOT_ELF, 0x80200000)
        else:
            default_image(directory, Path(guest).stem)
    for file_name, data in fixture.files:
        (directory / file_name).write_bytes(data)
    return directory / SCENARIO, root


def path_of(fixture, directory, file_name):
    if file_name == HOST:
        return Path(directory) / display_name(fixture, HOST)
    return Path(directory) / file_name


def display_name(fixture, file_name):
    """How cfggen names the file in its messages (run from the fixture's directory)."""
    return f"platforms/{fixture.platform}/host.dts" if file_name == HOST else file_name
