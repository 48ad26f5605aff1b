"""Decoding property values; malformed values raise PropError."""

import struct


class PropError(Exception):
    """Property `prop` of `node` does not have the expected shape (rule `rule_id`)."""

    def __init__(self, node, prop, message, rule_id="CFG-DT-002"):
        super().__init__(message)
        self.node = node
        self.prop = prop
        self.message = message
        self.rule_id = rule_id


CELL_COUNTS_RULE = "CFG-DT-004"  # a value does not fit #address-cells/#size-cells


def strings(node, name):
    """A string-list property, or None when absent."""
    raw = node.props.get(name)
    if raw is None:
        return None
    if not raw.endswith(b"\0"):
        raise PropError(node, name, f"{name} must be a string or string list")
    try:
        values = raw[:-1].decode("utf-8").split("\0")
    except UnicodeDecodeError:
        raise PropError(node, name, f"{name} is not valid UTF-8 text") from None
    if any(not value or not value.isprintable() for value in values):
        raise PropError(node, name, f"{name} must be a string or string list")
    return values


def string(node, name):
    """A single-string property, or None when absent."""
    values = strings(node, name)
    if values is not None and len(values) != 1:
        raise PropError(node, name, f"{name} must be one string, not {len(values)}")
    return None if values is None else values[0]


def cells(node, name):
    """A property of 32-bit cells as a list of ints, or None when absent."""
    raw = node.props.get(name)
    if raw is None:
        return None
    if not raw or len(raw) % 4:
        raise PropError(node, name, f"{name} must be a list of 32-bit cells "
                                    f"(it has {len(raw)} bytes)")
    return list(struct.unpack(f">{len(raw) // 4}I", raw))


def u32(node, name):
    """A one-cell property, or None when absent."""
    values = cells(node, name)
    if values is not None and len(values) != 1:
        raise PropError(node, name, f"{name} must be one cell, not {len(values)}")
    return None if values is None else values[0]


def u64(node, name):
    """A two-cell (hi lo) property, or None when absent."""
    values = cells(node, name)
    if values is not None and len(values) != 2:
        raise PropError(node, name, f"{name} must be two cells <hi lo>, not {len(values)}")
    return None if values is None else join_cells(values)


def join_cells(values):
    number = 0
    for value in values:
        number = (number << 32) | value
    return number


def u64_list(node, name):
    """A list of two-cell values, or None when absent."""
    values = cells(node, name)
    if values is not None and len(values) % 2:
        raise PropError(node, name, f"{name} must hold <hi lo> pairs "
                                    f"({len(values)} cells given)")
    if values is None:
        return None
    return [join_cells(values[i:i + 2]) for i in range(0, len(values), 2)]


def address_cells(parent):
    """#address-cells that `parent` gives its children (default 2)."""
    value = u32(parent, "#address-cells")
    value = 2 if value is None else value
    if value not in (1, 2):
        raise PropError(parent, "#address-cells",
                        f"#address-cells = <{value}> is not supported (use 1 or 2)")
    return value


def size_cells(parent):
    """#size-cells that `parent` gives its children (default 1)."""
    value = u32(parent, "#size-cells")
    value = 1 if value is None else value
    if value not in (0, 1, 2):
        raise PropError(parent, "#size-cells",
                        f"#size-cells = <{value}> is not supported (use 0, 1 or 2)")
    return value


def reg(node, name="reg"):
    """`reg` (or `name`) as (address, size) pairs, decoded with the parent's cell counts.

    None when absent; PropError when malformed or empty.
    """
    values = cells(node, name)
    if values is None:
        return None
    parent = node.parent if node.parent is not None else node
    n_address, n_size = address_cells(parent), size_cells(parent)
    stride = n_address + n_size
    check_stride(node, name, values, stride, f"{parent.path}'s #address-cells + #size-cells")
    return [(join_cells(values[i:i + n_address]),
             join_cells(values[i + n_address:i + stride]))
            for i in range(0, len(values), stride)]


def check_stride(node, name, values, stride, what):
    """CFG-DT-004 unless the cells `values` of `name` are whole groups of `stride` cells."""
    if stride == 0 or len(values) % stride:
        raise PropError(node, name, f"{name} has {len(values)} cells, not a multiple of "
                                     f"{what} = {stride}", CELL_COUNTS_RULE)


def host_ranges(node, name):
    """`name` as (guest address, host address, size) triples, like a DT `ranges`.

    Both addresses use the parent's #address-cells, the size its #size-cells.
    None when absent; PropError when malformed or empty.
    """
    values = cells(node, name)
    if values is None:
        return None
    parent = node.parent if node.parent is not None else node
    n_address, n_size = address_cells(parent), size_cells(parent)
    if n_size == 0:
        raise PropError(parent, "#size-cells", f"{name} needs a size: the parent's "
                                               f"#size-cells is 0")
    stride = 2 * n_address + n_size
    if len(values) % stride:
        raise PropError(node, name, f"{name} has {len(values)} cells, not a multiple of "
                                     f"2 * #address-cells + #size-cells = {stride}")
    return [(join_cells(values[i:i + n_address]),
             join_cells(values[i + n_address:i + 2 * n_address]),
             join_cells(values[i + 2 * n_address:i + stride]))
            for i in range(0, len(values), stride)]


def compatible(node):
    """The compatible list, leniently decoded (never raises)."""
    raw = node.props.get("compatible", b"")
    return [part.decode("latin-1") for part in raw.split(b"\0") if part]


def is_device_type(node, device_type):
    return node.props.get("device_type") == device_type.encode() + b"\0"
