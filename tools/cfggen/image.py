"""Guest images: locating the file, and reading an ELF64 RISC-V or flat binary."""

import hashlib
import os
import re
import struct
from dataclasses import dataclass

EM_RISCV = 243
ET_EXEC = 2
PT_LOAD = 1
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class ImagePathError(Exception):
    """tessera,image cannot be turned into a readable file (CFG-IMG-001)."""


class ImageFormatError(Exception):
    """The file is not a usable image (CFG-IMG-002)."""


@dataclass(frozen=True)
class Segment:
    gpa: int
    data: bytes
    mem_size: int
    label: str


@dataclass(frozen=True)
class Image:
    path: str
    format: str          # "elf" or "flat"
    sha256: str
    segments: tuple      # Segment
    entry: int           # ELF e_entry, or the flat load address


def expand_path(ref, guest_dts, variables):
    """Absolute path of tessera,image `ref`; `variables` maps build/cache/source to dirs."""
    def substitute(match):
        value = variables.get(match[1])
        if value is None:
            known = ", ".join(f"${{{name}}}" for name in sorted(variables))
            raise ImagePathError(f"${{{match[1]}}} is not available here (known: {known}; "
                                 f"${{build}} needs --build-dir)")
        return value

    expanded = _VARIABLE.sub(substitute, ref)
    return os.path.normpath(os.path.join(os.path.dirname(guest_dts), expanded))


def read_image(path, load_address=None):
    """Read `path`: ELF when it starts with the ELF magic, else a flat binary."""
    try:
        with open(path, "rb") as image_file:
            data = image_file.read()
    except OSError as error:
        raise ImagePathError(f"cannot read image {path}: {error.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    name = os.path.basename(path)
    if data.startswith(b"\x7fELF"):
        if load_address is not None:
            raise ImageFormatError(f"{name} is an ELF file: tessera,load-address is only for "
                                   f"flat binaries")
        segments, entry = _read_elf(data, name)
        return Image(path, "elf", digest, segments, entry)
    if load_address is None:
        raise ImageFormatError(f"{name} is not an ELF file, and a flat binary needs "
                               f"tessera,load-address")
    if not data:
        raise ImageFormatError(f"{name} is empty")
    return Image(path, "flat", digest, (Segment(load_address, data, len(data), name),),
                 load_address)


def _read_elf(data, name):
    if len(data) < _EHDR.size:
        raise ImageFormatError(f"{name}: truncated ELF header")
    (ident, e_type, e_machine, _, e_entry, e_phoff, _, _, _,
     e_phentsize, e_phnum, _, _, _) = _EHDR.unpack_from(data)
    if ident[4] != 2:
        raise ImageFormatError(f"{name}: not ELF64 (EI_CLASS {ident[4]})")
    if ident[5] != 1:
        raise ImageFormatError(f"{name}: not little-endian (EI_DATA {ident[5]})")
    if e_machine != EM_RISCV:
        raise ImageFormatError(f"{name}: not RISC-V (e_machine {e_machine}, need {EM_RISCV})")
    if e_type != ET_EXEC:
        raise ImageFormatError(f"{name}: not an executable (e_type {e_type}, need ET_EXEC)")
    if e_phnum and e_phentsize != _PHDR.size:
        raise ImageFormatError(f"{name}: e_phentsize {e_phentsize}, need {_PHDR.size}")
    if e_phoff + e_phnum * _PHDR.size > len(data):
        raise ImageFormatError(f"{name}: program headers extend past the end of the file")
    segments = []
    for index in range(e_phnum):
        p_type, _, p_offset, _, p_paddr, p_filesz, p_memsz, _ = _PHDR.unpack_from(
            data, e_phoff + index * _PHDR.size)
        if p_type != PT_LOAD or p_memsz == 0:
            continue
        if p_filesz > p_memsz:
            raise ImageFormatError(f"{name}: segment {index} has p_filesz > p_memsz")
        if p_offset + p_filesz > len(data):
            raise ImageFormatError(f"{name}: segment {index} extends past the end of the file")
        if p_paddr + p_memsz > 1 << 64:
            raise ImageFormatError(f"{name}: segment {index} wraps around the address space")
        segments.append(Segment(p_paddr, data[p_offset:p_offset + p_filesz], p_memsz,
                                f"{name} segment {index}"))
    if not segments:
        raise ImageFormatError(f"{name}: no PT_LOAD segment with p_memsz > 0")
    return tuple(segments), e_entry
