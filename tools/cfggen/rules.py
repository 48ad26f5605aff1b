"""The catalogue of configuration rules: stable id, title and fix-it hint."""

from dataclasses import dataclass


ERROR = "error"
WARNING = "warning"  # a finding: reported and listed in review.txt, generation goes on


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    hint: str
    severity: str = ERROR


_CATALOGUE = (
    Rule("CFG-DT-001", "device tree source compiles",
         "fix the DTS at the reported line; the message is dtc's own"),
    Rule("CFG-DT-002", "properties have the expected type and size",
         "cells go in <...> and must match the parent's #address-cells/#size-cells; "
         "strings go in quotes"),
    Rule("CFG-DT-003", "only known tessera,* properties are used",
         "check the spelling and the node: tessera,name/image/load-address/entry/dtb-address "
         "on the root, tessera,hart on cpus, tessera,host-address or tessera,host-ranges on "
         "memory nodes, "
         "tessera,passthrough on devices"),
    Rule("CFG-SCN-001", "scenario is well-formed",
         'the scenario root needs compatible = "tessera,scenario", '
         'tessera,platform = "<directory under the platform root>" and '
         'tessera,partitions = "guest.dts", ... naming existing files'),
    Rule("CFG-NAME-001", "partition name valid and unique",
         'set tessera,name = "..." matching [a-z][a-z0-9_-]{0,15}, '
         "different in every partition"),
    Rule("CFG-HART-001", "every guest cpu names its physical hart",
         "add tessera,hart = <P>; to the cpu node, P being a hart id of the host DT"),
    Rule("CFG-HART-002", "physical hart exists in the host",
         "use a hart id listed (status okay) under /cpus of the platform's host DT"),
    Rule("CFG-HART-003", "a physical hart belongs to one partition only",
         "give every virtual hart its own physical hart, not shared with any partition"),
    Rule("CFG-HART-004", "virtual hart ids are 0..n-1",
         "number the guest's cpu nodes reg = <0>, <1>, ... without gaps or repeats"),
    Rule("CFG-HART-005", "each guest has 1 to 8 cpus",
         'add /cpus/cpu@0 with device_type = "cpu", reg = <0> and tessera,hart; the runtime '
         "gives a partition at most 8 virtual harts"),
    Rule("CFG-MEM-001", "guest RAM lies inside host RAM",
         "choose tessera,host-address (or an identity reg) inside a host memory node"),
    Rule("CFG-MEM-002", "guest RAM is outside reserved memory",
         "move the region off the firmware and hypervisor ranges of the host's "
         "/reserved-memory"),
    Rule("CFG-MEM-003", "memory regions are pairwise disjoint",
         "regions must not overlap: host-physical across all partitions, "
         "guest-physical within a partition (RAM and passthrough)"),
    Rule("CFG-MEM-004", "RAM is 4 KiB aligned",
         "make the guest address, the host address and the size non-zero "
         "multiples of 0x1000"),
    Rule("CFG-MEM-005", "each guest has RAM",
         'add a node with device_type = "memory" and a reg property'),
    Rule("CFG-MEM-006", "guest-physical addresses fit Sv39x4",
         "keep every region's guest-physical end at or below 0x20000000000 (2 TiB)"),
    Rule("CFG-MEM-007", "tessera,host-ranges tile the memory node's reg exactly",
         "list <guest-address host-address size> windows that cover every reg range without "
         "gaps or overlaps; give tessera,host-ranges or tessera,host-address, not both"),
    Rule("CFG-DEV-001", "passthrough node exists in the host",
         "an empty tessera,passthrough uses the same path in the host DT; "
         "a string names the host node's path"),
    Rule("CFG-DEV-002", "passthrough reg matches the host and is 4 KiB aligned",
         "give the guest node as many reg ranges as the host node, with the same sizes, "
         "at 4 KiB aligned addresses"),
    Rule("CFG-DEV-003", "a passthrough device belongs to one partition only",
         "pass each host device, and each 4 KiB page of device registers, "
         "to one partition only"),
    Rule("CFG-DEV-004", "passthrough registers are outside host RAM",
         "pass devices through, not memory: use a memory node for RAM"),
    Rule("CFG-DEV-005", "every device is passthrough or emulated",
         "add tessera,passthrough to pass the host device through, or remove the node "
         '(emulated: "riscv,plic0"/"sifive,plic-1.0.0" and "ns16550a"/"ns16550"; '
         'status = "disabled" nodes are ignored)'),
    Rule("CFG-EMU-001", "an emulated PLIC is well formed",
         "give it interrupt-controller, #interrupt-cells = <1>, riscv,ndev = <1..127>, one reg "
         "at a 4 KiB aligned address with a 4 KiB multiple size of at least 0x200000 + "
         "0x1000 * 2 * cpus, and interrupts-extended = <&cpuN_intc 11 &cpuN_intc 9> for "
         "each cpu N = 0, 1, ..."),
    Rule("CFG-EMU-002", "at most one emulated PLIC and two emulated UARTs per guest",
         "remove the extra nodes (or pass a device through); route every interrupt to the "
         "one PLIC"),
    Rule("CFG-EMU-003", "an emulated 16550 UART is well formed",
         "give it one reg at a 4 KiB aligned address, at most 0x1000 bytes long; reg-shift and "
         "reg-io-width absent (or <0> and <1>); at most one interrupt"),
    Rule("CFG-EMU-004", "emulated devices overlap nothing",
         "move the emulated device's reg off the other emulated devices, the guest's RAM and "
         "its passthrough devices (windows are whole 4 KiB pages)"),
    Rule("CFG-IRQ-001", "device interrupts go to the guest's PLIC and match the host's",
         "give the guest an emulated PLIC and point the device's interrupt-parent at it; a "
         "passthrough device lists as many interrupts as its host node, whose interrupt "
         "parent must be the host PLIC"),
    Rule("CFG-IRQ-002", "a host interrupt belongs to one partition only",
         "pass each host interrupt (and the device raising it) to one partition only"),
    Rule("CFG-IRQ-003", "a guest interrupt number is used once in its guest",
         "give every device of the guest its own interrupt number on the guest's PLIC"),
    Rule("CFG-IRQ-004", "interrupt numbers are within their PLIC's sources",
         "use 1..riscv,ndev of the PLIC concerned (the guest's for guest numbers, the host's "
         "for host numbers); raise the guest PLIC's riscv,ndev (at most 127) if needed"),
    Rule("CFG-CPU-001", "a guest's cpus agree on Sstc",
         'list sstc in riscv,isa (e.g. "rv64imafdc_zicsr_sstc") of every guest cpu or of none'),
    Rule("CFG-CPU-002", "a guest with Sstc runs on harts with Sstc",
         "remove _sstc from the guest's riscv,isa, or choose physical harts whose host riscv,isa "
         "lists sstc"),
    Rule("CFG-CPU-003", "the guest timebase equals the host's",
         "set /cpus timebase-frequency of the guest to the host's value: the guest reads the "
         "real time CSR"),
    Rule("CFG-FLT-001", "fault policy and watchdog are valid",
         'tessera,fault-policy = "stop" or "restart" (default "stop"); '
         "tessera,watchdog-ms = <1..60000> (absent: no watchdog)"),
    Rule("CFG-IMG-001", "image file exists and is readable",
         "build the image first, or fix tessera,image (${build}, ${cache}, ${source} "
         "or a path relative to the guest .dts)"),
    Rule("CFG-IMG-002", "image format is valid",
         "use an ELF64 little-endian RISC-V executable with PT_LOAD segments, or a flat "
         "binary with tessera,load-address = <hi lo>"),
    Rule("CFG-IMG-003", "image and DTB lie inside the partition's RAM, without overlap",
         "link the image inside one RAM region and leave room for the DTB "
         "(or set tessera,dtb-address)"),
    Rule("CFG-IMG-004", "entry point is inside the partition's RAM",
         "fix the ELF entry or tessera,entry = <hi lo> to a 2-byte aligned RAM address"),
    Rule("CFG-HV-001", "one tessera,hypervisor region inside host RAM",
         'give /reserved-memory exactly one child with compatible = "tessera,hypervisor" '
         "and a reg inside a host memory node"),
    Rule("CFG-PLAT-001", "host console, harts, timebase and PLIC are present and supported",
         "the host DT needs cpus, /cpus timebase-frequency and a /chosen stdout-path to an "
         "ns16550(a) or sifive,uart0 node; a PLIC, if any, needs one reg, riscv,ndev, "
         "#interrupt-cells = <1> and the contexts <&cpuN_intc 11 &cpuN_intc 9> of harts 0, 1, ..."),
    Rule("CFG-DMA-001", "DMA-capable passthrough devices see identity-mapped RAM",
         "device DMA bypasses stage 2: map the RAM the driver gives the device identity "
         "(tessera,host-ranges with host address = guest address); without an IOMMU the "
         "device can reach all host memory, so the partition must be trusted",
         WARNING),
)

RULES = {rule.id: rule for rule in _CATALOGUE}


def rule(rule_id):
    """The rule with this id (KeyError for an unknown id: a bug in cfggen)."""
    return RULES[rule_id]
