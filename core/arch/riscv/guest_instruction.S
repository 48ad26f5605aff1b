/*
 * std::uint64_t tessera_read_guest_instruction(std::uint64_t address)
 *
 * The guest's instruction at `address` (a guest virtual address, translated
 * by vsatp and stage 2 at the privilege in hstatus.SPVP, with execute
 * permission): its 16 bits if compressed, else its 32 bits; ~0 if the read
 * faulted. Read as halves (HLVX.HU), since a 32-bit instruction may be only
 * 2-byte aligned and straddle a page. Called from HS-mode handlers with
 * interrupts off, after they have read the trap CSRs they need: a faulting
 * read traps to a private vector here, which puts sepc, sstatus and hstatus
 * back as they were (the trap overwrote sepc, SPP/SPIE and SPV/GVA) and
 * returns ~0; scause, stval, htval and htinst are left overwritten.
 *
 * Both entries are declared in entry_stack.txt (the stack check): neither
 * touches the stack nor calls anything.
 */
    .option norvc
    .option norelax     /* stvec needs the vector 4-byte aligned: no relaxation moving it */

    .section .text.tessera_read_guest_instruction, "ax"
    .balign 4
    .global tessera_read_guest_instruction
tessera_read_guest_instruction:
    csrr    a2, sepc
    csrr    a3, sstatus
    csrr    a4, hstatus
    lla     t1, tessera_read_fault
    csrrw   t1, stvec, t1               /* t1 = the trap vector to restore */
    .insn r 0x73, 0x4, 0x32, a1, a0, x3 /* hlvx.hu a1, (a0) */
    andi    t0, a1, 3
    li      t2, 3
    bne     t0, t2, .Lread_done         /* compressed: 16 bits are all of it */
    addi    t0, a0, 2
    .insn r 0x73, 0x4, 0x32, t2, t0, x3 /* hlvx.hu t2, (t0) */
    slli    t2, t2, 16
    or      a1, a1, t2
.Lread_done:
    csrw    stvec, t1
    mv      a0, a1
    ret

    .balign 4
    .global tessera_read_fault
tessera_read_fault:
    csrw    stvec, t1
    csrw    sepc, a2
    csrw    sstatus, a3
    csrw    hstatus, a4
    li      a0, -1
    ret
