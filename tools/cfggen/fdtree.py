"""A plain Python copy of a flattened device tree, read once with libfdt."""

import libfdt


class TreeError(Exception):
    """The DTB could not be read."""


class Node:
    """A device tree node: name, path, raw property values, children."""

    def __init__(self, name, path, parent):
        self.name = name
        self.path = path
        self.parent = parent
        self.props = {}     # property name -> bytes
        self.children = []

    def child(self, name):
        return next((child for child in self.children if child.name == name), None)

    def walk(self):
        """This node and all its descendants, depth first, in DT order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, path):
        """The node at absolute `path` below this (root) node, or None."""
        node = self
        for name in (part for part in path.split("/") if part):
            node = node.child(name)
            if node is None:
                return None
        return node

    def __repr__(self):
        return f"Node({self.path})"


def read_tree(dtb):
    """The root Node of `dtb` (bytes)."""
    try:
        fdt = libfdt.Fdt(dtb)
        return _read_node(fdt, fdt.path_offset("/"), "", None)
    except libfdt.FdtException as error:
        raise TreeError(str(error)) from error


def _read_node(fdt, offset, name, parent):
    if parent is None:
        path = "/"
    else:
        path = f"/{name}" if parent.path == "/" else f"{parent.path}/{name}"
    node = Node(name, path, parent)
    prop_offset = fdt.first_property_offset(offset, libfdt.QUIET_NOTFOUND)
    while prop_offset >= 0:
        prop = fdt.get_property_by_offset(prop_offset)
        node.props[prop.name] = bytes(prop)
        prop_offset = fdt.next_property_offset(prop_offset, libfdt.QUIET_NOTFOUND)
    child_offset = fdt.first_subnode(offset, libfdt.QUIET_NOTFOUND)
    while child_offset >= 0:
        node.children.append(_read_node(fdt, child_offset, fdt.get_name(child_offset), node))
        child_offset = fdt.next_subnode(child_offset, libfdt.QUIET_NOTFOUND)
    return node
