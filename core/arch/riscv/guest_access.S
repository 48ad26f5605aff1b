/*
 * std::uint32_t tessera_fetch_guest_insn(std::uint64_t guest_va)
 *
 * Reads the instruction at guest_va as the trapped guest sees it: HLVX.HU
 * translates with the guest's own page tables (vsatp) and stage 2, and needs
 * execute permission, at the privilege in hstatus.SPVP. A 32-bit instruction
 * is read as two halves (it may straddle a page). Returns 0 when either read
 * faults; the fault's trap has then overwritten sepc, scause, stval, htval,
 * sstatus.SPP/SPIE and hstatus.SPV, which the caller restores.
 *
 * Clobbers t0, t1, t2, a1. stvec points at .Lfetch_fault only for the two
 * reads; the hypervisor takes no other trap meanwhile (interrupts are off).
 */
    .section .text, "ax"
    .option norelax                     /* lld can't relax the .balign below */
    .global tessera_fetch_guest_insn
tessera_fetch_guest_insn:
    lla     t0, .Lfetch_fault
    csrrw   t0, stvec, t0               /* t0 = the trap vector to restore */
    mv      a1, a0
    .insn r 0x73, 0x4, 0x32, a0, a1, x3 /* hlvx.hu a0, (a1) */
    andi    t1, a0, 3
    li      t2, 3
    bne     t1, t2, 1f                  /* compressed: 16 bits are all of it */
    addi    a1, a1, 2
    .insn r 0x73, 0x4, 0x32, t1, a1, x3 /* hlvx.hu t1, (a1) */
    slli    t1, t1, 16
    or      a0, a0, t1
1:  csrw    stvec, t0
    ret

    .balign 4
.Lfetch_fault:
    csrw    stvec, t0
    li      a0, 0
    ret
