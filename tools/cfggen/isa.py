"""What a cpu node says about its ISA: riscv,isa and riscv,isa-extensions."""

import props


def extensions(cpu):
    """Lower-case names of the multi-letter extensions a cpu node lists.

    From riscv,isa ("rv64imafdc_zicsr_sstc": every "_" component after the
    base) and from riscv,isa-extensions (a string list). PropError if malformed.
    """
    names = set()
    isa = props.string(cpu, "riscv,isa")
    if isa:
        names.update(part for part in isa.lower().split("_")[1:] if part)
    names.update(name.lower() for name in props.strings(cpu, "riscv,isa-extensions") or ())
    return names


def has_sstc(cpu):
    return "sstc" in extensions(cpu)
