/*
 * bool tessera_read_guest_instruction(std::uint64_t pc, std::uint32_t* bits)
 *
 * Reads the instruction the guest trapped on at guest-virtual `pc`, translated
 * as the guest fetched it (vsatp, hgatp, at the privilege in hstatus.SPVP),
 * with HLVX.HU: 2 bytes, and 2 more for a 32-bit instruction (it may straddle
 * a page). Returns 1 with *bits set, or 0 when a read faulted (another hart
 * of the guest changed its page tables meanwhile): the fault went to a
 * private trap vector and overwrote sepc, scause, stval, htval,
 * sstatus.SPP/SPIE and hstatus.SPV (see restore_trap_after_fetch_fault).
 * HS-mode runs with interrupts off, so nothing else can arrive meanwhile.
 * The MMIO exit path in entry.S has its own copy of the read, inline.
 */
    .section .text.guest_fetch, "ax"
    .option norvc
    .global tessera_read_guest_instruction
tessera_read_guest_instruction:
    lla     t1, tessera_read_guest_instruction_faulted
    csrrw   t1, stvec, t1               /* t1 = the trap vector to restore */
    .insn r 0x73, 0x4, 0x32, t0, a0, x3 /* hlvx.hu t0, (a0) */
    andi    t2, t0, 3
    li      t3, 3
    bne     t2, t3, 1f                  /* compressed: 16 bits are all of it */
    addi    t2, a0, 2
    .insn r 0x73, 0x4, 0x32, t2, t2, x3 /* hlvx.hu t2, (t2) */
    slli    t2, t2, 16
    or      t0, t0, t2
1:  csrw    stvec, t1
    sw      t0, 0(a1)
    li      a0, 1
    ret

/* stvec while reading: in a section of its own, which starts 4-byte aligned
 * as stvec needs, with no padding that relaxation could move. */
    .section .text.guest_fetch_fault, "ax"
    .option push
    .option norelax
    .balign 4
tessera_read_guest_instruction_faulted:
    csrw    stvec, t1
    li      a0, 0
    ret
    .option pop
