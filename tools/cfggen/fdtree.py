"""A plain Python copy of a flattened device tree, read once with libfdt."""

import re

import libfdt

# The characters dtc accepts in node and property names (its DTS lexer's set).
_NAME = re.compile(r"[A-Za-z0-9,._+*#?@-]+")


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
    """The root Node of `dtb` (bytes); TreeError if it is not a well-formed DTB.

    The whole blob is checked first (fdt_check_full): libfdt's readers trust the
    structure they walk, and a corrupt one could crash the interpreter.
    """
    error = libfdt.fdt_check_full(bytearray(dtb), len(dtb))
    if error:
        raise TreeError(libfdt.fdt_strerror(error))
    try:
        fdt = libfdt.Fdt(dtb)
        return _read_node(fdt, fdt.path_offset("/"), "", None)
    except libfdt.FdtException as error:
        raise TreeError(str(error)) from error
    except (UnicodeDecodeError, SystemError) as error:
        # pylibfdt decodes node and property names as UTF-8; it reports a name that
        # is not as a SystemError (the UnicodeDecodeError is its cause).
        raise TreeError("a node or property name is not UTF-8 text") from error


def _read_node(fdt, offset, name, parent):
    if parent is None:
        path = "/"
    else:
        path = f"/{name}" if parent.path == "/" else f"{parent.path}/{name}"
    node = Node(name, path, parent)
    prop_offset = fdt.first_property_offset(offset, libfdt.QUIET_NOTFOUND)
    while prop_offset >= 0:
        prop = fdt.get_property_by_offset(prop_offset)
        _check_name(prop.name, "property", path, node.props)
        node.props[prop.name] = bytes(prop)
        prop_offset = fdt.next_property_offset(prop_offset, libfdt.QUIET_NOTFOUND)
    child_offset = fdt.first_subnode(offset, libfdt.QUIET_NOTFOUND)
    names = set()
    while child_offset >= 0:
        child_name = fdt.get_name(child_offset)
        _check_name(child_name, "node", path, names)
        names.add(child_name)
        node.children.append(_read_node(fdt, child_offset, child_name, node))
        child_offset = fdt.next_subnode(child_offset, libfdt.QUIET_NOTFOUND)
    return node


def _check_name(name, what, parent_path, seen):
    """A name dtc could have written, and the first of its kind in its node."""
    if not _NAME.fullmatch(name):
        raise TreeError(f"{what} name {name!r} in {parent_path} is not a device tree name")
    if name in seen:
        raise TreeError(f"two {what}s named {name!r} in {parent_path}")
