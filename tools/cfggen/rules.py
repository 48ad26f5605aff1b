"""The catalogue of configuration rules: stable id, what it checks, why, and the fix.

docs/rules.md is generated from this catalogue and the table of test cases in
tests/cfggen/rule_cases.py (tests/cfggen/rules_doc.py --write); a test fails
when they disagree.
"""

from dataclasses import dataclass


ERROR = "error"
WARNING = "warning"  # a finding: reported and listed in review.txt, generation goes on


@dataclass(frozen=True)
class Rule:
    id: str          # AREA-TOPIC-NNN, never reused for another check
    title: str       # what it checks, in a line
    why: str         # what goes wrong without it
    hint: str        # how to fix a violation (printed under every error)
    severity: str = ERROR


_CATALOGUE = (
    Rule("CFG-DT-001", "device tree source compiles",
         "cfggen reads what dtc compiles; a source dtc rejects describes nothing",
         "fix the DTS at the reported line; the message is dtc's own"),
    Rule("CFG-DT-002", "properties have the expected type and size",
         "a value of the wrong shape (a string for cells, three cells for two) would be read "
         "as something the author did not write",
         "cells go in <...> and must match the parent's #address-cells/#size-cells; "
         "strings go in quotes"),
    Rule("CFG-DT-003", "only known tessera,* properties are used",
         "a misspelt or misplaced tessera,* property would be ignored silently and change "
         "nothing",
         "check the spelling and the node: tessera,name/image/load-address/entry/dtb-address/"
         "fault-policy/watchdog-ms on the root, tessera,hart on cpus, tessera,host-address or "
         "tessera,host-ranges on memory nodes, tessera,passthrough on devices; in a scenario "
         "file tessera,platform/partitions/console-colour/console-owner on the root"),
    Rule("CFG-DT-004", "reg and ranges fit their parent's #address-cells and #size-cells",
         "a reg whose length is not a whole number of (address, size) pairs is read "
         "differently by every program; the guest's OS would map other addresses than "
         "cfggen checked",
         "give every reg (address size) pairs of exactly the parent's #address-cells + "
         "#size-cells cells (ranges: child address, parent address, size), or fix the "
         "parent's #address-cells/#size-cells"),
    Rule("CFG-DT-005", "interrupt references resolve",
         "an interrupt-parent or interrupts-extended phandle that names nothing, or a "
         "specifier that does not fit its controller, leaves the OS without the interrupt "
         "(or with another one)",
         "point interrupt-parent and interrupts-extended at nodes with #interrupt-cells and "
         "give each interrupt exactly that many cells"),
    Rule("CFG-DT-006", "bus ranges are identity mappings",
         "cfggen takes every reg as a physical address: behind a translating ranges the "
         "guest's OS would use other addresses than the ones cfggen checked and mapped",
         "write ranges; (empty) on buses, or entries whose child and parent addresses are "
         "equal, and give devices their physical addresses in reg"),
    Rule("CFG-SCN-001", "scenario is well-formed",
         "the scenario names the platform and the partitions; without them there is nothing "
         "to check or build",
         'the scenario root needs compatible = "tessera,scenario", '
         'tessera,platform = "<directory under the platform root>" and '
         'tessera,partitions = "guest.dts", ... naming existing files'),
    Rule("CFG-NAME-001", "partition name valid and unique",
         "the name prefixes console lines and names the partition in logs and tables; two "
         "alike could not be told apart",
         'set tessera,name = "..." matching [a-z][a-z0-9_-]{0,15}, '
         "different in every partition"),
    Rule("CFG-HART-001", "every guest cpu names its physical hart",
         "one vCPU runs on one dedicated physical hart; a cpu without one could never run",
         "add tessera,hart = <P>; to the cpu node, P being a hart id of the host DT"),
    Rule("CFG-HART-002", "physical hart exists in the host",
         "a hart the board does not have (or has disabled) never starts",
         "use a hart id listed (status okay) under /cpus of the platform's host DT"),
    Rule("CFG-HART-003", "a physical hart belongs to one partition only",
         "there is no scheduler: a hart shared by two vCPUs would run only one of them, and "
         "sharing would break isolation",
         "give every virtual hart its own physical hart, not shared with any partition"),
    Rule("CFG-HART-004", "virtual hart ids are 0..n-1",
         "the guest names its harts by these ids (SBI hart masks, PLIC contexts); gaps or "
         "repeats make some unreachable",
         "number the guest's cpu nodes reg = <0>, <1>, ... without gaps or repeats"),
    Rule("CFG-HART-005", "each guest has 1 to 8 cpus",
         "a partition without a cpu never runs; the runtime's per-partition tables (virtual "
         "PLIC contexts, hart masks) hold 8 harts",
         'add /cpus/cpu@0 with device_type = "cpu", reg = <0> and tessera,hart; the runtime '
         "gives a partition at most 8 virtual harts"),
    Rule("CFG-HART-006", "the guest's cpu nodes are exactly its harts",
         "the guest counts its cpus in /cpus: a cpu node without device_type = \"cpu\" is one "
         "the partition has no hart for, a disabled one holds a physical hart that never "
         "runs; either way the guest's cpu count differs from the partition's hart count",
         'give every cpu@N under /cpus device_type = "cpu" and status "okay" (or none), or '
         "remove it"),
    Rule("CFG-MEM-001", "guest RAM lies inside host RAM",
         "RAM outside the board's memory nodes does not exist: the guest would fault or reach "
         "device registers",
         "choose tessera,host-address (or an identity reg) inside a host memory node"),
    Rule("CFG-MEM-002", "guest RAM is outside reserved memory",
         "reserved memory holds OpenSBI and the hypervisor's image, stacks and page-table "
         "pools; a guest mapped there could rewrite them",
         "move the region off the firmware and hypervisor ranges of the host's "
         "/reserved-memory"),
    Rule("CFG-MEM-003", "memory regions are pairwise disjoint",
         "RAM given to two partitions (or mapped twice in one) lets one guest read and write "
         "another's memory",
         "regions must not overlap: host-physical across all partitions, "
         "guest-physical within a partition (RAM and passthrough)"),
    Rule("CFG-MEM-004", "RAM is 4 KiB aligned",
         "stage-2 translation maps whole 4 KiB pages (2 MiB and 1 GiB where both addresses "
         "allow); an unaligned region would expose the rest of its pages",
         "make the guest address, the host address and the size non-zero "
         "multiples of 0x1000"),
    Rule("CFG-MEM-005", "each guest has RAM",
         "a guest needs RAM for its image, its DTB and its stack",
         'add a node with device_type = "memory" and a reg property'),
    Rule("CFG-MEM-006", "guest-physical addresses fit Sv39x4",
         "stage 2 is Sv39x4: guest-physical addresses have 41 bits",
         "keep every region's guest-physical end at or below 0x20000000000 (2 TiB)"),
    Rule("CFG-MEM-007", "tessera,host-ranges tile the memory node's reg exactly",
         "a gap would leave guest RAM unmapped (the guest faults where its DT promised RAM); "
         "an overlap would map one guest address twice",
         "list <guest-address host-address size> windows that cover every reg range without "
         "gaps or overlaps; give tessera,host-ranges or tessera,host-address, not both"),
    Rule("CFG-DEV-001", "passthrough node exists in the host",
         "only a device the board has can be passed through",
         "an empty tessera,passthrough uses the same path in the host DT; "
         "a string names the host node's path"),
    Rule("CFG-DEV-002", "passthrough reg matches the host and is 4 KiB aligned",
         "the guest's driver uses the sizes its DT gives; stage 2 maps whole pages, so "
         "registers must start on a page",
         "give the guest node as many reg ranges as the host node, with the same sizes, "
         "at 4 KiB aligned addresses"),
    Rule("CFG-DEV-003", "a passthrough device belongs to one partition only",
         "two guests driving one device corrupt each other's I/O and break isolation",
         "pass each host device, and each 4 KiB page of device registers, "
         "to one partition only"),
    Rule("CFG-DEV-004", "passthrough registers are outside host RAM",
         "a 'device' in host RAM would map RAM that belongs to another partition or to the "
         "hypervisor",
         "pass devices through, not memory: use a memory node for RAM"),
    Rule("CFG-DEV-005", "every device is passthrough or emulated",
         "a guest must never probe a device nobody backs: its accesses would fault",
         "add tessera,passthrough to pass the host device through, or remove the node "
         '(emulated: "riscv,plic0"/"sifive,plic-1.0.0" and "ns16550a"/"ns16550"; '
         'status = "disabled" nodes are ignored)'),
    Rule("CFG-DEV-006", "the hypervisor's own devices are not passed through",
         "the host interrupt controller (PLIC, APLIC, IMSIC), the CLINT/ACLINT, the "
         "hypervisor console and the power-off device serve every partition; a guest holding "
         "one could mask others' interrupts, raise IPIs or timers on any hart, write over the "
         "console or power the machine off",
         "remove tessera,passthrough: give the guest an emulated PLIC and 16550 "
         "(no tessera,passthrough) instead, and use SBI for timers, IPIs and power-off; the "
         "console UART may go to one partition: name it in the scenario's "
         'tessera,console-owner = "<partition name>"'),
    Rule("CFG-DEV-007", "a passthrough window exposes no other host device",
         "stage 2 maps whole 4 KiB pages: a device whose registers share a page with another "
         "device's would hand the guest that device too",
         "pass through only devices alone in their 4 KiB pages (or pass the neighbours to the "
         "same partition); such a device cannot be isolated on this board"),
    Rule("CFG-CON-001", "the console owner exists and passes the console through",
         "tessera,console-owner hands the console UART to one partition: the hypervisor stops "
         "driving it at boot. A name that matches no partition, or a partition without the "
         "UART, would leave the console with nobody driving it",
         'set tessera,console-owner = "<name>" to the tessera,name of a partition of the '
         "scenario whose guest DT passes the host console (the host DT's /chosen "
         "stdout-path node) through with tessera,passthrough; or remove tessera,console-owner "
         "to keep the console multiplexed by the hypervisor"),
    Rule("CFG-EMU-001", "an emulated PLIC is well formed",
         "the virtual PLIC implements the QEMU virt register layout: the guest's driver finds "
         "its contexts from interrupts-extended and the source count from riscv,ndev",
         "give it interrupt-controller, #interrupt-cells = <1>, riscv,ndev = <1..127>, one reg "
         "at a 4 KiB aligned address with a 4 KiB multiple size of at least 0x200000 + "
         "0x1000 * 2 * cpus, and interrupts-extended = <&cpuN_intc 11 &cpuN_intc 9> for "
         "each cpu N = 0, 1, ..."),
    Rule("CFG-EMU-002", "at most one emulated PLIC and two emulated UARTs per guest",
         "the runtime keeps one virtual PLIC and two virtual UARTs per partition",
         "remove the extra nodes (or pass a device through); route every interrupt to the "
         "one PLIC"),
    Rule("CFG-EMU-003", "an emulated 16550 UART is well formed",
         "the virtual 16550 has byte-wide registers one byte apart in one 4 KiB page and one "
         "interrupt",
         "give it one reg at a 4 KiB aligned address, at most 0x1000 bytes long; reg-shift and "
         "reg-io-width absent (or <0> and <1>); at most one interrupt"),
    Rule("CFG-EMU-004", "emulated devices overlap nothing",
         "an emulated window is left unmapped so that accesses trap; over RAM or a "
         "passthrough device it would hide one or the other",
         "move the emulated device's reg off the other emulated devices, the guest's RAM and "
         "its passthrough devices (windows are whole 4 KiB pages)"),
    Rule("CFG-IRQ-001", "device interrupts go to the guest's PLIC and match the host's",
         "passthrough interrupts are claimed on the host PLIC and injected through the "
         "guest's virtual PLIC, entry by entry; anything else would never arrive",
         "give the guest an emulated PLIC and point the device's interrupt-parent at it; a "
         "passthrough device lists as many interrupts as its host node, whose interrupt "
         "parent must be the host PLIC"),
    Rule("CFG-IRQ-002", "a host interrupt belongs to one partition only",
         "a host interrupt is delivered to one guest; shared, the other would lose it or "
         "see another's",
         "pass each host interrupt (and the device raising it) to one partition only"),
    Rule("CFG-IRQ-003", "a guest interrupt number is used once in its guest",
         "two devices on one virtual PLIC source could not be told apart",
         "give every device of the guest its own interrupt number on the guest's PLIC"),
    Rule("CFG-IRQ-004", "interrupt numbers are within their PLIC's sources",
         "source 0 means 'no interrupt' and numbers above riscv,ndev do not exist on that "
         "PLIC",
         "use 1..riscv,ndev of the PLIC concerned (the guest's for guest numbers, the host's "
         "for host numbers); raise the guest PLIC's riscv,ndev (at most 127) if needed"),
    Rule("CFG-CPU-001", "a guest's cpus agree on Sstc",
         "the hypervisor enables Sstc (henvcfg.STCE) per partition, for all its harts",
         'list sstc in riscv,isa (e.g. "rv64imafdc_zicsr_sstc") of every guest cpu or of none'),
    Rule("CFG-CPU-002", "a guest with Sstc runs on harts with Sstc",
         "a guest told it has Sstc uses stimecmp, which traps as illegal on a hart without it",
         "remove _sstc from the guest's riscv,isa, or choose physical harts whose host riscv,isa "
         "lists sstc"),
    Rule("CFG-CPU-003", "the guest timebase equals the host's",
         "the guest reads the real time CSR: another timebase-frequency makes all its "
         "timeouts and clocks wrong",
         "set /cpus timebase-frequency of the guest to the host's value: the guest reads the "
         "real time CSR"),
    Rule("CFG-FLT-001", "fault policy and watchdog are valid",
         "an unknown policy or a watchdog period of 0 (or of minutes) would leave a faulty "
         "partition stopped, or restart a healthy one, other than the author meant",
         'tessera,fault-policy = "stop" or "restart" (default "stop"); '
         "tessera,watchdog-ms = <1..60000> (absent: no watchdog)"),
    Rule("CFG-IMG-001", "image file exists and is readable",
         "the image is embedded in the hypervisor image at build time",
         "build the image first, or fix tessera,image (${build}, ${cache}, ${source} "
         "or a path relative to the guest .dts)"),
    Rule("CFG-IMG-002", "image format is valid",
         "cfggen must know where every byte goes: ELF segments by their physical addresses, a "
         "flat binary at its load address",
         "use an ELF64 little-endian RISC-V executable with PT_LOAD segments, or a flat "
         "binary with tessera,load-address = <hi lo>"),
    Rule("CFG-IMG-003", "image and DTB lie inside the partition's RAM, without overlap",
         "the image and DTB are copied into the partition's RAM at every boot; outside it "
         "they would land in memory the partition does not own, overlapping they would "
         "corrupt each other",
         "link the image inside one RAM region and leave room for the DTB "
         "(or set tessera,dtb-address)"),
    Rule("CFG-IMG-004", "entry point is inside the partition's RAM",
         "the guest starts at its entry point; outside its RAM it faults at once",
         "fix the ELF entry or tessera,entry = <hi lo> to a 2-byte aligned RAM address"),
    Rule("CFG-HV-001", "one tessera,hypervisor region inside host RAM",
         "the hypervisor's image, stacks and page-table pools live in this region; cfggen "
         "keeps partitions out of it and the linker checks the image fits",
         'give /reserved-memory exactly one child with compatible = "tessera,hypervisor" '
         "and a reg inside a host memory node"),
    Rule("CFG-PLAT-001", "host console, harts, timebase and PLIC are present and supported",
         "the runtime needs a console it has a driver for, the harts, the timer frequency and "
         "the PLIC layout it programs",
         "the host DT needs cpus, /cpus timebase-frequency and a /chosen stdout-path to an "
         "ns16550(a) or sifive,uart0 node; a PLIC, if any, needs one reg, riscv,ndev, "
         "#interrupt-cells = <1> and the contexts <&cpuN_intc 11 &cpuN_intc 9> of harts 0, 1, ..."),
    Rule("CFG-PLAT-002", "every host device has a binding and is supported",
         "cfggen decides ownership (hypervisor or guest) and DMA capability from the device "
         "bindings; a device without one, or one the runtime has no driver for (an AIA "
         "interrupt controller), would be handled blindly",
         "add a binding for the compatible under tools/cfggen/bindings/ (description, "
         "compatible, dma-capable, hypervisor-owned, host-supported, host-driver, emulated), "
         'or set status = "disabled" on the host node'),
    Rule("CFG-DMA-001", "DMA-capable passthrough devices see identity-mapped RAM",
         "device DMA bypasses stage-2 translation: buffers in relocated RAM are accessed at "
         "host address = guest address, in memory the partition does not own, and without "
         "an IOMMU a DMA-capable device can reach all host memory",
         "device DMA bypasses stage 2: map the RAM the driver gives the device identity "
         "(tessera,host-ranges with host address = guest address); without an IOMMU the "
         "device can reach all host memory, so the partition must be trusted",
         WARNING),
)

RULES = {rule.id: rule for rule in _CATALOGUE}


def rule(rule_id):
    """The rule with this id (KeyError for an unknown id: a bug in cfggen)."""
    return RULES[rule_id]
