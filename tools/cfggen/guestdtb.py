"""The DTB a guest boots with: its compiled DT minus every tessera,* property."""

import libfdt

PREFIX = "tessera,"


def strip_tessera_props(dtb, root):
    """`dtb` (bytes) without the tessera,* properties; `root` is its fdtree copy."""
    doomed = [(node.path, name) for node in root.walk() for name in node.props
              if name.startswith(PREFIX)]
    fdt = libfdt.Fdt(dtb)
    fdt.resize(fdt.totalsize() + 4096)
    for path, name in doomed:
        fdt.delprop(fdt.path_offset(path), name)
    fdt.pack()
    return bytes(fdt.as_bytearray())
