"""What a guest DT asks for: name, image, cpus, RAM and passthrough devices.

Only decodes the tessera,* properties and the nodes they sit on; the rules that
relate a guest to the host and to other guests live in the check_* modules.
"""

import difflib
import os
from dataclasses import dataclass, field

import isa
import props
import ranges
from model import RAM, Region

ROOT_PROPS = ("tessera,name", "tessera,image", "tessera,load-address", "tessera,entry",
              "tessera,dtb-address", "tessera,fault-policy", "tessera,watchdog-ms")
FAULT_POLICIES = ("stop", "restart")
MAX_WATCHDOG_MS = 60000
CPU_PROPS = ("tessera,hart",)
MEMORY_PROPS = ("tessera,host-address", "tessera,host-ranges")
ANY_NODE_PROPS = ("tessera,passthrough",)


@dataclass(frozen=True)
class GuestCpu:
    node: str
    vhart: int = None      # None: reg missing or malformed
    phart: int = None      # None: tessera,hart missing or malformed
    sstc: bool = None      # None: riscv,isa malformed
    timebase: int = None   # its own or /cpus timebase-frequency; None: absent or malformed
    timebase_node: str = None  # the node that gave (or should give) timebase-frequency


@dataclass(frozen=True)
class PassthroughRequest:
    node: str              # guest node path
    host_path: str         # host node path it asks for
    reg: tuple             # guest (gpa, size) ranges


@dataclass
class Guest:
    source: object                                  # DtSource
    name: str
    image_ref: str = None                           # tessera,image as written
    load_address: int = None
    entry: int = None
    dtb_address: int = None
    fault_policy: str = "stop"                      # what a fatal guest fault does
    watchdog_ms: int = 0                            # 0: no watchdog
    cpus: list = field(default_factory=list)        # GuestCpu
    ram: list = field(default_factory=list)         # Region (kind RAM)
    memory_nodes: int = 0
    passthrough: list = field(default_factory=list)  # PassthroughRequest

    @property
    def path(self):
        return self.source.path


def read_guest(source, diags):
    """Decode the guest DT; malformed properties are reported as CFG-DT-002."""
    reader = _Reader(source, diags)
    root = source.root
    default_name = os.path.splitext(os.path.basename(source.path))[0]
    guest = Guest(source, reader.value(props.string, root, "tessera,name") or default_name)
    guest.image_ref = reader.value(props.string, root, "tessera,image")
    guest.load_address = reader.value(props.u64, root, "tessera,load-address")
    guest.entry = reader.value(props.u64, root, "tessera,entry")
    guest.dtb_address = reader.value(props.u64, root, "tessera,dtb-address")
    guest.fault_policy, guest.watchdog_ms = reader.fault_handling(root)
    guest.cpus = reader.cpus()
    guest.memory_nodes, guest.ram = reader.memory()
    guest.passthrough = reader.passthrough()
    reader.unknown_props()
    return guest


class _Reader:
    def __init__(self, source, diags):
        self.source = source
        self.diags = diags

    def value(self, decode, node, name):
        """decode(node, name), or None after reporting a malformed value."""
        try:
            return decode(node, name)
        except props.PropError as error:
            self.diags.report_prop_error(self.source, error)
            return None

    def fault_handling(self, root):
        """tessera,fault-policy and tessera,watchdog-ms (CFG-FLT-001)."""
        policy = self.value(props.string, root, "tessera,fault-policy")
        if policy is not None and policy not in FAULT_POLICIES:
            self.diags.report("CFG-FLT-001", self.source, root.path,
                              f'tessera,fault-policy is "{policy}"', "tessera,fault-policy")
            policy = None
        watchdog = self.value(props.u32, root, "tessera,watchdog-ms")
        if watchdog is not None and not 1 <= watchdog <= MAX_WATCHDOG_MS:
            self.diags.report("CFG-FLT-001", self.source, root.path,
                              f"tessera,watchdog-ms is {watchdog}", "tessera,watchdog-ms")
            watchdog = None
        return policy or "stop", watchdog or 0

    def cpus(self):
        parent = self.source.find("/cpus")
        if parent is None:
            return []
        found = []
        for node in parent.children:
            if not props.is_device_type(node, "cpu"):
                continue
            reg = self.value(props.reg, node, "reg")
            vhart = None
            if reg is not None and len(reg) == 1:
                vhart = reg[0][0]
            elif reg is not None:
                self.diags.report("CFG-DT-002", self.source, node.path,
                                  f"a cpu's reg must be one hart id ({len(reg)} given)", "reg")
            elif "reg" not in node.props:
                self.diags.report("CFG-HART-004", self.source, node.path,
                                  "cpu node has no reg (its virtual hart id)")
            phart = self.value(props.u32, node, "tessera,hart")
            sstc = self.value(lambda cpu, _: isa.has_sstc(cpu), node, "riscv,isa")
            timebase_node = node if "timebase-frequency" in node.props else parent
            timebase = self.value(props.u32, timebase_node, "timebase-frequency")
            found.append(GuestCpu(node.path, vhart, phart, sstc, timebase, timebase_node.path))
        return found

    def memory(self):
        nodes, regions = 0, []
        for node in self.source.root.walk():
            if not props.is_device_type(node, "memory"):
                continue
            nodes += 1
            reg = self.value(props.reg, node, "reg")
            if reg is None:
                if "reg" not in node.props:
                    self.diags.report("CFG-DT-002", self.source, node.path,
                                      "memory node has no reg")
                continue
            if "tessera,host-ranges" in node.props:
                regions += self._host_ranges(node, reg)
                continue
            hosts = self.value(props.u64_list, node, "tessera,host-address")
            if hosts is not None and len(hosts) != len(reg):
                self.diags.report("CFG-DT-002", self.source, node.path,
                                  f"tessera,host-address has {len(hosts)} address(es) for "
                                  f"{len(reg)} reg range(s)", "tessera,host-address")
                continue
            hpa_prop = "reg" if hosts is None else "tessera,host-address"
            for index, (gpa, size) in enumerate(reg):
                hpa = gpa if hosts is None else hosts[index]
                regions.append(Region(gpa, hpa, size, RAM, node.path, index, hpa_prop))
        return nodes, regions

    def _host_ranges(self, node, reg):
        """The RAM windows of tessera,host-ranges.

        A bad tiling is reported (CFG-MEM-007); windows that are sound on their own
        (inside one reg range, not overlapping an earlier window) are still returned,
        so that a gap does not also make the image look outside RAM.
        """
        prop = "tessera,host-ranges"
        if "tessera,host-address" in node.props:
            self.diags.report("CFG-MEM-007", self.source, node.path,
                              "give tessera,host-ranges or tessera,host-address, not both", prop)
            return []
        windows = self.value(props.host_ranges, node, prop)
        if windows is None:
            return []

        def error(message):
            self.diags.report("CFG-MEM-007", self.source, node.path, message, prop)

        regions = []
        for index, (gpa, hpa, size) in enumerate(windows):
            home = next((i for i, (base, length) in enumerate(reg)
                         if ranges.contains(base, length, gpa, size)), None)
            overlapped = next((other for other, (other_gpa, _, other_size)
                               in enumerate(windows[:index])
                               if ranges.overlaps(other_gpa, other_size, gpa, size)), None)
            if size == 0:
                error(f"window {index} has size 0")
            elif home is None:
                error(f"window {index} {ranges.hex_range(gpa, size)} is not inside one reg range")
            elif overlapped is not None:
                other_gpa, _, other_size = windows[overlapped]
                error(f"window {index} {ranges.hex_range(gpa, size)} overlaps window "
                      f"{overlapped} {ranges.hex_range(other_gpa, other_size)}")
            else:
                regions.append(Region(gpa, hpa, size, RAM, node.path, home, prop, window=index))
        for reg_index, (base, length) in enumerate(reg):
            cursor = base
            for gpa, size in sorted((window[0], window[2]) for window in windows
                                    if ranges.contains(base, length, window[0], window[2])):
                if gpa > cursor:
                    error(f"reg[{reg_index}] {ranges.hex_range(cursor, gpa - cursor)} is in no "
                          f"window")
                cursor = max(cursor, gpa + size)
            if cursor < base + length:
                error(f"reg[{reg_index}] {ranges.hex_range(cursor, base + length - cursor)} is "
                      f"in no window")
        return regions

    def passthrough(self):
        requests = []
        for node in self.source.root.walk():
            raw = node.props.get("tessera,passthrough")
            if raw is None:
                continue
            host_path = node.path if raw == b"" else self._host_path(node)
            if host_path is None:
                continue
            reg = self.value(props.reg, node, "reg")
            if reg is None:
                if "reg" not in node.props:
                    self.diags.report("CFG-DEV-002", self.source, node.path,
                                      "a passthrough node needs a reg", "tessera,passthrough")
                continue
            requests.append(PassthroughRequest(node.path, host_path, tuple(reg)))
        return requests

    def unknown_props(self):
        """CFG-DT-003: a misspelt tessera,* property would silently change nothing."""
        for node in self.source.root.walk():
            known = ANY_NODE_PROPS + _known_props(node)
            for name in node.props:
                if name.startswith("tessera,") and name not in known:
                    close = difflib.get_close_matches(name, known, n=1)
                    suggestion = f' (did you mean "{close[0]}"?)' if close else ""
                    self.diags.report("CFG-DT-003", self.source, node.path,
                                      f"unknown property {name} on this node{suggestion}", name)

    def _host_path(self, node):
        try:
            path = props.string(node, "tessera,passthrough")
        except props.PropError:
            path = None
        if path is None or not path.startswith("/"):
            self.diags.report("CFG-DT-002", self.source, node.path,
                              "tessera,passthrough must be empty (same path in the host) or "
                              "an absolute host node path string", "tessera,passthrough")
            return None
        return path


def _known_props(node):
    if node.parent is None:
        return ROOT_PROPS
    if props.is_device_type(node, "cpu"):
        return CPU_PROPS
    if props.is_device_type(node, "memory"):
        return MEMORY_PROPS
    return ()
