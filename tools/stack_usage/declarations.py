"""The two hand-written tables the stack check reads.

core/arch/riscv/entry_stack.txt: each entry point of the assembly (entry.S),
the stack its own code uses, and the compiled functions it calls:

    # entry               bytes  calls
    tessera_trap          0      tessera_handle_sbi_call nested:tessera_hs_trap
    tessera_enter_guest   0      -

core/indirect_calls.txt: for each function an indirect call is written in
(the source function, through any inlining), a function it can call; a line
per pair, names as the check prints them (qualified, without parameters):

    tessera::ConsoleMux::prefix_locked -> tessera::platform::console_write

Both: one record a line, `#` starts a comment.
"""
from dataclasses import dataclass, field


class DeclarationError(Exception):
    pass


@dataclass
class AsmEntry:
    symbol: str
    bytes: int
    calls: list = field(default_factory=list)    # compiled functions, in the file's order
    nested: set = field(default_factory=set)     # the ones that run on an interrupted stack
    line: int = 0


def _lines(path):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if text:
                yield number, text


def _records(path):
    for number, text in _lines(path):
        yield number, text.split()


def read_asm_entries(path):
    entries = {}
    for number, words in _records(path):
        if len(words) < 3 or not words[1].isdigit():
            raise DeclarationError(f"{path}:{number}: expected 'SYMBOL BYTES CALLS...' "
                                   f"(CALLS '-' for none), got {' '.join(words)!r}")
        entry = AsmEntry(words[0], int(words[1]), line=number)
        if words[2:] != ["-"]:
            for call in words[2:]:
                if call.startswith("nested:"):
                    call = call[len("nested:"):]
                    entry.nested.add(call)
                entry.calls.append(call)
        if entry.symbol in entries:
            raise DeclarationError(f"{path}:{number}: {entry.symbol} declared twice")
        entries[entry.symbol] = entry
    return entries


@dataclass
class IndirectCall:
    caller: str    # the source function the call is written in
    target: str
    line: int


def read_indirect_calls(path):
    """{caller: [IndirectCall]}"""
    table = {}
    for number, text in _lines(path):
        parts = [part.strip() for part in text.split("->")]
        if len(parts) != 2 or not all(parts):
            raise DeclarationError(f"{path}:{number}: expected 'FUNCTION -> TARGET', got {text!r}")
        if any(c.target == parts[1] for c in table.get(parts[0], [])):
            raise DeclarationError(f"{path}:{number}: {text!r} listed twice")
        table.setdefault(parts[0], []).append(IndirectCall(parts[0], parts[1], number))
    return table
