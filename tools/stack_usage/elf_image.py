"""The parts of a 64-bit little-endian ELF image the stack check reads.

Sections (name, address, size, flags, bytes), the symbol table (with the
FILE symbol each local symbol follows, to tell apart static functions of the
same name from different translation units), the entry point, and of an
object file the relocations that store code addresses in data. Only what
tools/stack_usage needs.
"""
import struct
from dataclasses import dataclass

SHT_SYMTAB = 2
SHT_RELA = 4
SHT_NOBITS = 8
R_RISCV_32, R_RISCV_64 = 1, 2
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4
STB_LOCAL = 0
SHN_UNDEF = 0


@dataclass(frozen=True)
class Section:
    name: str
    address: int
    size: int
    flags: int
    kind: int
    offset: int


@dataclass(frozen=True)
class Symbol:
    name: str
    value: int
    size: int
    kind: int      # STT_*
    local: bool
    section: int   # section header index
    file: str      # the FILE symbol a local symbol follows ("" for globals)


class ElfImage:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        if self.data[:4] != b"\x7fELF" or self.data[4] != 2 or self.data[5] != 1:
            raise ValueError(f"{path}: not a 64-bit little-endian ELF file")
        (self.entry, shoff, shentsize, shnum, shstrndx) = (
            struct.unpack_from("<Q", self.data, 24)[0],
            struct.unpack_from("<Q", self.data, 40)[0],
            struct.unpack_from("<H", self.data, 58)[0],
            struct.unpack_from("<H", self.data, 60)[0],
            struct.unpack_from("<H", self.data, 62)[0])
        raw = []
        for i in range(shnum):
            (name, kind, flags, addr, offset, size, link, info, _align,
             entsize) = struct.unpack_from("<IIQQQQIIQQ", self.data, shoff + i * shentsize)
            raw.append((name, kind, flags, addr, offset, size, link, entsize, info))
        names_at = raw[shstrndx][4]
        self.sections = [Section(self._string(names_at, r[0]), r[3], r[5], r[2], r[1], r[4])
                         for r in raw]
        self._raw_sections = raw
        self._symtab = None   # (offset, count, entry size, string table offset)
        for (_name, kind, _flags, _addr, offset, size, link, entsize, _info) in raw:
            if kind == SHT_SYMTAB:
                self._symtab = (offset, size // entsize, entsize, raw[link][4])
        self._symbols = None
        self._by_name = None

    @property
    def symbols(self):
        """Every symbol but FILE ones, each local one with its FILE."""
        if self._symbols is None:
            self._symbols, file = [], ""
            for index in range(self._symtab[1] if self._symtab else 0):
                symbol = self._symbol_at(index, file)
                if symbol.kind == STT_FILE:
                    file = symbol.name
                else:
                    self._symbols.append(symbol)
        return self._symbols

    def _symbol_at(self, index, file=""):
        offset, _count, entsize, strings = self._symtab
        name, info, _other, shndx, value, size = struct.unpack_from(
            "<IBBHQQ", self.data, offset + index * entsize)
        kind, local = info & 0xF, (info >> 4) == STB_LOCAL
        return Symbol(self._string(strings, name), value, size, kind, local, shndx,
                      file if local else "")

    def _string(self, table_offset, index):
        start = table_offset + index
        return self.data[start:self.data.index(b"\0", start)].decode()

    def data_code_references(self):
        """Of an object file: every 32/64-bit address its non-code sections
        store that points into code or to a symbol defined elsewhere, as
        (symbol name, addend); a reference through a section symbol is named
        by the section (".text.<name>")."""
        for (_name, kind, _flags, _addr, offset, size, _link, entsize, info) in self._raw_sections:
            if kind != SHT_RELA:
                continue
            target = self.sections[info]
            if target.flags & SHF_EXECINSTR or not target.flags & SHF_ALLOC:
                continue
            for i in range(size // entsize):
                _offset, r_info, addend = struct.unpack_from("<QQq", self.data, offset + i * entsize)
                if r_info & 0xFFFFFFFF not in (R_RISCV_32, R_RISCV_64):
                    continue
                symbol = self._symbol_at(r_info >> 32)
                if symbol.section == SHN_UNDEF:
                    yield symbol.name, addend   # defined elsewhere: maybe code
                    continue
                holder = self.sections[symbol.section] if symbol.section < len(self.sections) else None
                if holder is None or not holder.flags & SHF_EXECINSTR:
                    continue
                yield (holder.name if symbol.kind == STT_SECTION else symbol.name), addend

    def section(self, name):
        for section in self.sections:
            if section.name == name:
                return section
        raise KeyError(f"{self.path}: no section {name}")

    def symbol(self, name):
        if self._by_name is None:
            self._by_name = {}
            for symbol in self.symbols:
                self._by_name.setdefault(symbol.name, []).append(symbol)
        found = self._by_name.get(name, [])
        if len(found) != 1:
            raise KeyError(f"{self.path}: {len(found)} symbols named {name}, expected 1")
        return found[0]

    def read(self, address, size):
        """Bytes at a virtual address, from the section that holds them."""
        for section in self.sections:
            if (section.flags & SHF_ALLOC and section.kind != SHT_NOBITS
                    and section.address <= address and address + size <= section.address + section.size):
                start = section.offset + address - section.address
                return self.data[start:start + size]
        raise KeyError(f"{self.path}: no initialised section holds {address:#x}+{size}")

    def read_u64(self, address):
        return struct.unpack("<Q", self.read(address, 8))[0]

    def read_u32(self, address):
        return struct.unpack("<I", self.read(address, 4))[0]
