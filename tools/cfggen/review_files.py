"""The files a review vouches for: every input read and every output generated, with SHA-256."""

import glob
import hashlib
import os
from dataclasses import dataclass

from emit_blobs import BLOB_DIR
from repo import TOOL_DIR, source_label

_OUTPUT_ROLES = {
    "tessera_scenario.hpp": "configuration tables (C++ header, holds the configuration hash)",
    "tessera_blobs.S": "assembly embedding the blobs",
    "scenario.ld": "linker script fragment (hypervisor region)",
    "review.txt": "text review",
}


@dataclass(frozen=True)
class FileEntry:
    role: str
    path: str      # as shown: relative to the repository when inside it
    size: int
    sha256: str


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry(role, path):
    return FileEntry(role, source_label(os.path.abspath(path)), os.path.getsize(path),
                     sha256_file(path))


def input_files(config):
    """Every file cfggen read, each with what it is, in the order scenario, host, guests, tool."""
    roles = {}

    def add(path, role):
        roles.setdefault(os.path.abspath(path), role)

    scenario, host = config.scenario, config.host
    add(scenario.path, "scenario")
    for path in scenario.source.includes:
        add(path, "scenario include")
    add(host.source.path, f"host device tree ({scenario.platform})")
    for path in host.source.includes:
        add(path, "host device tree include")
    for partition in config.partitions:
        who = f"p{partition.index} {partition.name}"
        add(partition.source.path, f"guest device tree, {who}")
        for path in partition.source.includes:
            add(path, f"guest device tree include, {who}")
        add(partition.image.path, f"guest image ({partition.image.format}), {who}")
    tool_sources = set(glob.glob(os.path.join(TOOL_DIR, "*.py")))
    for path in config.inputs:
        add(path, "generator (tools/cfggen)" if path in tool_sources else "input")
    return [entry(role, path) for path, role in roles.items()]


def output_files(config, generated_dir, extra=()):
    """Every file in the generated directory, then `extra` (role, path) pairs, e.g. the image."""
    chunk_roles = {}
    for partition in config.partitions:
        for chunk in partition.chunks:
            chunk_roles[os.path.join(BLOB_DIR, chunk.file_name)] = (
                f"p{partition.index} {partition.name}: {chunk.label}")
    found = []
    for root, dirs, files in os.walk(generated_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            relative = os.path.relpath(path, generated_dir)
            role = _OUTPUT_ROLES.get(relative) or chunk_roles.get(relative) or "generated file"
            found.append(entry(role, path))
    found += [entry(role, path) for role, path in extra]
    return found
