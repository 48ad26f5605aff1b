"""What the hypervisor image's machine code calls, read from its disassembly.

`objdump -d -M no-aliases` of the linked image (so every instruction is in
its canonical form) is split into the compiled functions (ELF FUNC symbols
with their sizes) and the assembly code around them (entry.S: everything in
an executable section that no FUNC symbol covers). For each compiled
function it finds:

  - direct calls (`jal ra`, `auipc`+`jalr ra`) and tail calls (`jal zero`,
    `auipc`+`jalr zero`) to other functions;
  - switch jump tables: `jalr zero` through a register loaded from a table
    in read-only data whose entries all land inside the function itself (the
    register is followed back, in code order, to `auipc`+`addi` of the
    table's address); the jump stays in the function;
  - every other `jalr`: an indirect call (`jalr ra`) or indirect tail call
    (`jalr zero`), which the caller must resolve;
  - code addresses it materialises (`auipc`+`addi`): functions whose
    address is taken.

Assembly code is followed instruction by instruction from each entry (both
ways at a branch, into and past a `call` of a local routine) to collect the
functions it calls and the stack it uses itself: `addi sp, sp, -N` lowers
sp by N; any other write to sp (`csrrw sp, sscratch, sp`, `ld sp, ...`,
`lla sp, ...`) switches to another stack (or none) and restarts the count.

Anything this module does not understand (a branch out of a function, a
jump into the middle of one, an unknown instruction writing sp in assembly)
is an error, never a guess.
"""
import bisect
import re
import subprocess
from dataclasses import dataclass, field

from elf_image import SHF_EXECINSTR, STT_FUNC, STT_NOTYPE

_LINE = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
_MEMORY = re.compile(r"^(-?\d+)\((\w+)\)$")
_STORES = {"sb", "sh", "sw", "sd", "c.sw", "c.sd", "c.swsp", "c.sdsp"}
_LOADS_64 = {"ld", "c.ld"}
_LOADS_32 = {"lw", "c.lw"}
_NO_DESTINATION = _STORES | {
    "beq", "bne", "blt", "bge", "bltu", "bgeu", "c.beqz", "c.bnez", "c.j", "c.jr",
    "fence", "fence.i", "fence.tso", "ecall", "ebreak", "c.ebreak", "wfi", "sret", "mret",
    "sfence.vma", "c.nop", "nop", ".2byte", ".4byte"}
_BRANCHES = {"beq", "bne", "blt", "bge", "bltu", "bgeu", "c.beqz", "c.bnez"}
_REGISTERS = {"zero", "ra", "sp", "gp", "tp", "fp"} | {f"t{i}" for i in range(7)} | {
    f"s{i}" for i in range(12)} | {f"a{i}" for i in range(8)}
# Instructions that move sp by an immediate: a push or pop on the stack.
_WRITES_SP_STACK = {"addi", "c.addi", "c.addi16sp"}


class CodeError(Exception):
    pass


@dataclass
class Instruction:
    address: int
    size: int
    mnemonic: str
    operands: list
    target: int = None  # the address operand of jal/branches
    raw: int = None     # the word of an instruction objdump prints as .4byte


@dataclass
class Site:
    address: int
    target: int = None   # None: indirect
    tail: bool = False
    # Of an indirect call, filled in by the caller: the source function it is
    # written in, its file:line, and the functions it may reach.
    written_in: str = ""
    location: str = ""
    targets: list = field(default_factory=list)


@dataclass
class FunctionCode:
    name: str
    start: int
    end: int
    calls: list = field(default_factory=list)      # Site with a target
    indirect: list = field(default_factory=list)   # Site without one
    jump_tables: int = 0
    taken: set = field(default_factory=set)        # code addresses it materialises
    lowers_sp: int = 0     # bytes its code moves sp down (its frame, as built)
    sp_writes: list = field(default_factory=list)  # other writes to sp: "address mnemonic"


@dataclass
class AsmWalk:
    """What the assembly code reached from one entry does."""
    entry: str
    calls: dict = field(default_factory=dict)   # callee address -> bytes on the stack at the call
    max_bytes: int = 0
    taken: set = field(default_factory=set)


def _raw_rd(ins):
    """The destination register number of an instruction objdump printed as
    .4byte (one of the H extension's: hlv, hlvx, hfence), None if its format
    has none. A .2byte one is not a valid instruction: None."""
    if ins.mnemonic != ".4byte" or ins.raw is None or ins.raw & 0x7F in (0x23, 0x27, 0x63):
        return None
    return (ins.raw >> 7) & 31


def _sign(value, bits):
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def disassemble(objdump, path):
    """Every instruction of the image's executable sections, by address."""
    out = subprocess.run([objdump, "-d", "-M", "no-aliases", "--no-show-raw-insn", path],
                         check=True, capture_output=True, text=True).stdout
    instructions = {}
    for line in out.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        address, mnemonic, rest = int(match.group(1), 16), match.group(2), match.group(3)
        rest = rest.split("#", 1)[0]
        target = None
        if "<" in rest:
            rest = rest.split("<", 1)[0]
        operands = [o.strip() for o in rest.split(",") if o.strip()]
        raw = None
        if mnemonic in (".4byte", ".2byte"):
            raw = int(operands[0], 16)
        if mnemonic in ("jal", "c.j") or mnemonic in _BRANCHES:
            target = int(operands[-1], 16)
        size = 2 if mnemonic.startswith("c.") or mnemonic == ".2byte" else 4
        instructions[address] = Instruction(address, size, mnemonic, operands, target, raw)
    addresses = sorted(instructions)
    for here, after in zip(addresses, addresses[1:]):
        if here + instructions[here].size > after:
            raise CodeError(f"{path}: the instruction at {here:#x} ({instructions[here].mnemonic}) "
                            f"overlaps the next one at {after:#x}: misread disassembly")
    return instructions


class Registers:
    """What is known of each register along straight-line code: a constant
    (auipc/lui/addi), a pointer into a table at A (A + index), a 32-bit table
    entry loaded from A, or a jump-table target read from A."""

    def __init__(self):
        self.values = {}

    def copy(self):
        other = Registers()
        other.values = dict(self.values)
        return other

    def get(self, register):
        if register == "zero":
            return ("const", 0)
        return self.values.get(register)

    def kill(self, register):
        self.values.pop(register, None)

    def set(self, register, value):
        if register != "zero":
            self.values[register] = value

    def step(self, ins):
        """Updates the state for `ins`; returns the constant an auipc+addi
        pair materialised, if this is its addi."""
        m, ops = ins.mnemonic, ins.operands
        if m == ".4byte" or m == ".2byte":
            # An instruction objdump can't name: forget what it may write.
            rd = _raw_rd(ins)
            self.values = {r: v for r, v in self.values.items() if rd is not None and _number(r) != rd}
            return None
        if m in _NO_DESTINATION or not ops or ops[0] not in _REGISTERS:
            return None
        rd = ops[0]
        if m in ("auipc",):
            self.set(rd, ("const", ins.address + (_sign(int(ops[1], 16), 20) << 12)))
        elif m in ("lui", "c.lui"):
            self.set(rd, ("const", _sign(int(ops[1], 16), 20) << 12))
        elif m in ("addi", "c.addi", "c.addi16sp", "c.addi4spn", "c.mv", "c.li", "addiw"):
            source = ops[1] if m in ("addi", "c.addi4spn", "c.mv", "addiw") else (
                "zero" if m == "c.li" else rd)
            immediate = 0 if m == "c.mv" else int(ops[-1], 0)
            value = self.get(source)
            if value and value[0] == "const":
                result = value[1] + immediate
                if m == "addiw":
                    result = _sign((result) & 0xFFFFFFFF, 32)
                self.set(rd, ("const", result))
                return result if m == "addi" else None
            if m == "c.mv" and value:
                self.set(rd, value)
            else:
                self.kill(rd)
        elif m in ("add", "c.add"):
            first, second = (ops[1], ops[2]) if m == "add" else (rd, ops[1])
            a, b = self.get(first), self.get(second)
            for x, y in ((a, b), (b, a)):
                if x and x[0] == "const" and y and y[0] == "entry32" and y[1] == x[1]:
                    self.set(rd, ("target", x[1], "rel32"))
                    return None
            for x, y in ((a, b), (b, a)):
                if x and x[0] == "const" and not (y and y[0] == "const"):
                    self.set(rd, ("table", x[1]))
                    return None
            self.kill(rd)
        elif m in _LOADS_64 or m in _LOADS_32:
            memory = _MEMORY.match(ops[1]) if len(ops) > 1 else None
            base = self.get(memory.group(2)) if memory else None
            if base and base[0] == "table" and int(memory.group(1)) == 0:
                self.set(rd, ("target", base[1], "abs64") if m in _LOADS_64 else ("entry32", base[1]))
            else:
                self.kill(rd)
        else:
            self.kill(rd)
        return None


def _number(register):
    names = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1"] + [
        f"a{i}" for i in range(8)] + [f"s{i}" for i in range(2, 12)] + [f"t{i}" for i in range(3, 7)]
    return names.index("s0" if register == "fp" else register)


def _jalr_parts(ins):
    """(rd, rs, offset) of jalr / c.jr / c.jalr."""
    if ins.mnemonic == "c.jr":
        return "zero", ins.operands[0], 0
    if ins.mnemonic == "c.jalr":
        return "ra", ins.operands[0], 0
    memory = _MEMORY.match(ins.operands[1])
    if not memory:
        raise CodeError(f"{ins.address:#x}: can't read jalr operands {ins.operands}")
    return ins.operands[0], memory.group(2), int(memory.group(1))


class MachineCode:
    def __init__(self, image, objdump):
        self.image = image
        self.instructions = disassemble(objdump, image.path)
        executable = [i for i, s in enumerate(image.sections) if s.flags & SHF_EXECINSTR]
        self.functions = {}   # start address -> FUNC symbol
        self.aliases = {}     # start address -> every FUNC symbol there (C1/C2 constructors...)
        for symbol in image.symbols:
            if symbol.kind == STT_FUNC and symbol.size > 0 and symbol.section in executable:
                self.functions.setdefault(symbol.value, symbol)
                self.aliases.setdefault(symbol.value, []).append(symbol)
        self._starts = sorted(self.functions)
        self.asm_symbols = {}  # address -> names of the labels assembly code defines
        for symbol in image.symbols:
            if (symbol.kind == STT_NOTYPE and symbol.section in executable
                    and not symbol.name.startswith((".L", "$")) and symbol.name
                    and self.function_at(symbol.value) is None):
                self.asm_symbols.setdefault(symbol.value, []).append(symbol.name)

    def function_at(self, address):
        """The FUNC symbol whose code holds `address`, or None."""
        index = bisect.bisect_right(self._starts, address) - 1
        if index >= 0:
            symbol = self.functions[self._starts[index]]
            if address < symbol.value + symbol.size:
                return symbol
        return None

    def is_code(self, address):
        return address in self.instructions

    def function_code(self, symbol):
        """Calls, indirect calls, jump tables and taken addresses of one FUNC."""
        code = FunctionCode(symbol.name, symbol.value, symbol.value + symbol.size)
        registers = Registers()
        address = code.start
        while address < code.end:
            ins = self.instructions.get(address)
            if ins is None:
                raise CodeError(f"{symbol.name}: no instruction at {address:#x}")
            self._function_step(code, ins, registers)
            address += ins.size
        return code

    def _inside(self, code, address):
        return code.start <= address < code.end

    def _transfer(self, code, ins, target, tail):
        if self._inside(code, target) and tail:
            return
        if target in self.functions or target in self.asm_symbols:
            code.calls.append(Site(ins.address, target, tail))
            return
        raise CodeError(f"{code.name}: {ins.mnemonic} at {ins.address:#x} goes to {target:#x}, "
                        "which is neither in the function nor the start of a function or "
                        "assembly routine")

    def _function_step(self, code, ins, registers):
        m = ins.mnemonic
        self._function_sp(code, ins, registers)
        if m in _BRANCHES:
            if not self._inside(code, ins.target):
                raise CodeError(f"{code.name}: branch at {ins.address:#x} leaves the function "
                                f"(to {ins.target:#x})")
        elif m in ("jal", "c.j"):
            rd = "zero" if m == "c.j" else ins.operands[0]
            if rd not in ("zero", "ra"):
                raise CodeError(f"{code.name}: jal with link register {rd} at {ins.address:#x}")
            self._transfer(code, ins, ins.target, tail=(rd == "zero"))
        elif m in ("jalr", "c.jr", "c.jalr"):
            rd, rs, offset = _jalr_parts(ins)
            value = registers.get(rs)
            if rd == "zero" and rs == "ra" and offset == 0:
                pass  # return
            elif rd not in ("zero", "ra"):
                raise CodeError(f"{code.name}: jalr with link register {rd} at {ins.address:#x}")
            elif value and value[0] == "const":
                self._transfer(code, ins, value[1] + offset, tail=(rd == "zero"))
            elif rd == "zero" and value and value[0] == "target" and self._jump_table(code, value):
                code.jump_tables += 1
            else:
                code.indirect.append(Site(ins.address, None, tail=(rd == "zero")))
        made = registers.step(ins)
        if made is not None and (made in self.functions or made in self.asm_symbols):
            code.taken.add(made)

    def _function_sp(self, code, ins, registers):
        """Adds what `ins` lowers sp by to code.lowers_sp: `addi sp, sp, -N`,
        or `add`/`sub sp, sp, rX` with rX a known constant (frames past
        2 KiB); notes any other write to sp."""
        m, ops = ins.mnemonic, ins.operands
        if m in _NO_DESTINATION or not ops or ops[0] != "sp":
            if _raw_rd(ins) == 2:
                code.sp_writes.append(f"{ins.address:#x} {ins.raw:#x}")
            return
        if m in _WRITES_SP_STACK and (m != "addi" or ops[1] == "sp"):
            code.lowers_sp += max(0, -int(ops[-1], 0))
            return
        if m in ("add", "c.add", "sub") and (m == "c.add" or ops[1] == "sp"):
            value = registers.get(ops[-1])
            if value and value[0] == "const":
                code.lowers_sp += max(0, value[1] if m == "sub" else -value[1])
                return
        code.sp_writes.append(f"{ins.address:#x} {m} {','.join(ops)}")

    def _jump_table(self, code, value):
        """True if the table at value[1] holds addresses inside `code`."""
        _, table, kind = value
        count = 0
        while count < 4096:
            try:
                if kind == "abs64":
                    entry = self.image.read_u64(table + 8 * count)
                else:
                    entry = table + _sign(self.image.read_u32(table + 4 * count), 32)
            except KeyError:
                break
            if not self._inside(code, entry) or entry not in self.instructions:
                break
            count += 1
        return count > 0

    def walk_asm(self, name, start):
        """Follows the assembly code from `start` (see the module comment)."""
        walk = AsmWalk(name)
        pending = [(start, 0, Registers())]
        seen = set()
        while pending:
            address, depth, registers = pending.pop()
            while True:
                if (address, depth) in seen:
                    break
                seen.add((address, depth))
                if depth > 1 << 16:
                    raise CodeError(f"{name}: assembly stack use grows without bound at {address:#x}")
                if self.function_at(address) is not None:
                    raise CodeError(f"{name}: assembly code runs into compiled function "
                                    f"{self.function_at(address).name} at {address:#x}")
                ins = self.instructions.get(address)
                if ins is None:
                    raise CodeError(f"{name}: no instruction at {address:#x}")
                next_address = address + ins.size
                depth, walk.max_bytes = self._asm_stack(name, ins, registers, depth, walk.max_bytes)
                m = ins.mnemonic
                if m in ("sret", "mret"):
                    break
                if m in _BRANCHES:
                    pending.append((ins.target, depth, registers.copy()))
                elif m in ("jal", "c.j"):
                    rd = "zero" if m == "c.j" else ins.operands[0]
                    if self._asm_transfer(walk, ins, ins.target, depth, rd == "zero", pending, registers):
                        break
                elif m in ("jalr", "c.jr", "c.jalr"):
                    rd, rs, offset = _jalr_parts(ins)
                    value = registers.get(rs)
                    if rd == "zero" and rs == "ra" and offset == 0:
                        break  # ret from a local routine
                    if not value or value[0] != "const":
                        raise CodeError(f"{name}: indirect {m} at {address:#x} in assembly code")
                    if self._asm_transfer(walk, ins, value[1] + offset, depth, rd == "zero",
                                          pending, registers):
                        break
                made = registers.step(ins)
                if made is not None and self.is_code(made):
                    walk.taken.add(made)
                address = next_address
        return walk

    def _asm_transfer(self, walk, ins, target, depth, tail, pending, registers):
        """Records a call or jump; True when the straight-line walk ends here."""
        if target in self.functions:
            walk.calls[target] = max(walk.calls.get(target, 0), depth)
            return tail
        if not self.is_code(target):
            raise CodeError(f"{walk.entry}: {ins.mnemonic} at {ins.address:#x} to {target:#x}, "
                            "which is not code")
        pending.append((target, depth, registers.copy()))
        return tail

    def _asm_stack(self, name, ins, registers, depth, max_bytes):
        """The walk's stack depth after `ins`, and the deepest point so far."""
        m, ops = ins.mnemonic, ins.operands
        if m in _STORES and len(ops) > 1:
            memory = _MEMORY.match(ops[1])
            sp_kind = registers.get("sp")
            if (memory and memory.group(2) == "sp" and int(memory.group(1)) < 0
                    and not (sp_kind and sp_kind[0] == "const")):
                max_bytes = max(max_bytes, depth - int(memory.group(1)))
            return depth, max_bytes
        if m == ".2byte" or _raw_rd(ins) == 2:
            raise CodeError(f"{name}: instruction {ins.raw:#x} at {ins.address:#x}, which objdump "
                            "can't decode, may write sp")
        if m in _NO_DESTINATION or not ops or ops[0] != "sp":
            return depth, max_bytes
        sp_value = registers.get("sp")
        if (m in _WRITES_SP_STACK and (m != "addi" or ops[1] == "sp")
                and not (sp_value and sp_value[0] == "const")):
            depth -= int(ops[-1], 0)
            return depth, max(max_bytes, depth)
        return 0, max_bytes  # sp now points at another stack (or at no stack)
