"""CFG-IMG-001..004: the image loads, and it and the DTB fit the partition's RAM."""

import os
from dataclasses import dataclass

import image
import ranges
from diagnostics import display_path
from model import RAM, Chunk

DTB_ALIGN = 8


@dataclass(frozen=True)
class Loads:
    image: image.Image
    chunks: list       # image chunks, then the DTB chunk
    entry: int
    dtb_gpa: int


def check_loads(guest, index, regions, dtb, variables, diags):
    """The Loads of partition `index`, or None after reporting why they don't fit."""
    loaded = _load_image(guest, variables, diags)
    if loaded is None:
        return None
    ram = [region for region in regions if region.kind == RAM]
    errors = len(diags)
    for segment in loaded.segments:
        if _ram_holding(ram, segment.gpa, segment.mem_size) is None:
            _error(diags, guest, "CFG-IMG-003", "tessera,image",
                   f"{segment.label} {ranges.hex_range(segment.gpa, segment.mem_size)} "
                   f"is not inside one RAM region")
    dtb_gpa = _place_dtb(guest, ram, loaded, len(dtb), diags)
    chunks = [Chunk(f"p{index}_load{number}", segment.data, segment.gpa, segment.mem_size,
                    segment.label) for number, segment in enumerate(loaded.segments)]
    if dtb_gpa is not None:
        chunks.append(Chunk(f"p{index}_dtb", dtb, dtb_gpa, len(dtb), "guest DTB"))
    _check_overlaps(guest, chunks, diags)
    entry = guest.entry if guest.entry is not None else loaded.entry
    _check_entry(guest, ram, entry, diags)
    if len(diags) != errors:
        return None
    return Loads(loaded, chunks, entry, dtb_gpa)


def _load_image(guest, variables, diags):
    if guest.image_ref is None:
        if "tessera,image" not in guest.source.root.props:
            _error(diags, guest, "CFG-IMG-001", None, 'tessera,image = "<path>" is missing')
        return None
    try:
        path = image.expand_path(guest.image_ref, guest.path, variables)
        if not os.path.isfile(path):
            raise image.ImagePathError(f"image {display_path(path)} does not exist")
        return image.read_image(path, guest.load_address)
    except image.ImagePathError as error:
        _error(diags, guest, "CFG-IMG-001", "tessera,image", str(error))
    except image.ImageFormatError as error:
        _error(diags, guest, "CFG-IMG-002", "tessera,image", str(error))
    return None


def _place_dtb(guest, ram, loaded, size, diags):
    prop = "tessera,dtb-address"
    if guest.dtb_address is not None:
        gpa = guest.dtb_address
    else:
        prop = "tessera,image"
        lowest = min(segment.gpa for segment in loaded.segments)
        home = _ram_holding(ram, lowest, 1)
        if home is None:
            return None  # the image is outside RAM: already reported
        gpa = home.gpa + home.size - ranges.round_up(size, ranges.PAGE)
        if gpa < home.gpa:
            _error(diags, guest, "CFG-IMG-003", prop,
                   f"the {size:#x}-byte DTB does not fit RAM region {home.label}")
            return None
    if not ranges.is_aligned(gpa, DTB_ALIGN):
        _error(diags, guest, "CFG-IMG-003", prop, f"DTB address {gpa:#x} is not 8-byte aligned")
        return None
    if _ram_holding(ram, gpa, size) is None:
        _error(diags, guest, "CFG-IMG-003", prop,
               f"DTB {ranges.hex_range(gpa, size)} is not inside one RAM region")
        return None
    return gpa


def _check_overlaps(guest, chunks, diags):
    for index, chunk in enumerate(chunks):
        for earlier in chunks[:index]:
            if ranges.overlaps(earlier.gpa, earlier.mem_size, chunk.gpa, chunk.mem_size):
                prop = ("tessera,dtb-address" if chunk.label == "guest DTB"
                        and guest.dtb_address is not None else "tessera,image")
                _error(diags, guest, "CFG-IMG-003", prop,
                       f"{chunk.label} {ranges.hex_range(chunk.gpa, chunk.mem_size)} overlaps "
                       f"{earlier.label} {ranges.hex_range(earlier.gpa, earlier.mem_size)}")


def _check_entry(guest, ram, entry, diags):
    prop = "tessera,entry" if guest.entry is not None else "tessera,image"
    if _ram_holding(ram, entry, 2) is None:
        _error(diags, guest, "CFG-IMG-004", prop, f"entry point {entry:#x} is not in RAM")
    elif entry % 2:
        _error(diags, guest, "CFG-IMG-004", prop, f"entry point {entry:#x} is not 2-byte aligned")


def _ram_holding(ram, gpa, size):
    return next((region for region in ram
                 if ranges.contains(region.gpa, region.size, gpa, size)), None)


def _error(diags, guest, rule_id, prop, message):
    diags.report(rule_id, guest.source, "/", message, prop)
