/*
 * The conformance guest's trap vector, user program and secondary-hart
 * entry (see trap.hpp); user mode is entered and left through
 * guests/common/lower_mode.S.
 *
 * conformance_trap_entry (stvec, direct mode): saves every register and
 * sepc into a TrapFrame on the supervisor stack and calls
 * conformance_trap(TrapFrame*), which may change the frame (sepc, registers)
 * and sstatus.SPP; the frame is then restored and sret returns.
 *
 * sscratch is 0 while the guest runs in supervisor mode and holds the
 * supervisor stack pointer while it runs in user mode, so the entry can tell
 * the two apart with one swap.
 */
    .option norelax     /* plain alignment padding: lld has no R_RISCV_ALIGN relaxation */

#define FRAME_SIZE   (36 * 8)
#define SEPC_OFF     (32 * 8)
#define SCAUSE_OFF   (33 * 8)
#define STVAL_OFF    (34 * 8)
#define SSTATUS_OFF  (35 * 8)
#define SSTATUS_SPP  0x100

    .section .text.conformance_trap, "ax"
    .balign 4
    .global conformance_trap_entry
conformance_trap_entry:
    csrrw   sp, sscratch, sp
    bnez    sp, 1f                  /* from user mode: sp = supervisor stack */
    csrrw   sp, sscratch, sp        /* from supervisor mode: back to its sp, sscratch = 0 */
1:  addi    sp, sp, -FRAME_SIZE
    sd      x1,   1*8(sp)
    sd      x3,   3*8(sp)
    sd      x4,   4*8(sp)
    sd      x5,   5*8(sp)
    sd      x6,   6*8(sp)
    sd      x7,   7*8(sp)
    sd      x8,   8*8(sp)
    sd      x9,   9*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    /* The interrupted sp: the user's (in sscratch) or the supervisor's. */
    csrrw   t0, sscratch, zero
    bnez    t0, 2f
    addi    t0, sp, FRAME_SIZE
2:  sd      t0,  2*8(sp)
    csrr    t0, sepc
    sd      t0, SEPC_OFF(sp)
    csrr    t0, scause
    sd      t0, SCAUSE_OFF(sp)
    csrr    t0, stval
    sd      t0, STVAL_OFF(sp)
    csrr    t0, sstatus
    sd      t0, SSTATUS_OFF(sp)
    mv      a0, sp
    call    conformance_trap
    ld      t0, SEPC_OFF(sp)
    csrw    sepc, t0
    /* Back to user mode: the next trap from there needs this stack. */
    csrr    t0, sstatus
    andi    t0, t0, SSTATUS_SPP
    bnez    t0, 3f
    addi    t0, sp, FRAME_SIZE
    csrw    sscratch, t0
3:  ld      x1,   1*8(sp)
    ld      x3,   3*8(sp)
    ld      x4,   4*8(sp)
    ld      x5,   5*8(sp)
    ld      x6,   6*8(sp)
    ld      x7,   7*8(sp)
    ld      x8,   8*8(sp)
    ld      x9,   9*8(sp)
    ld      x10, 10*8(sp)
    ld      x11, 11*8(sp)
    ld      x12, 12*8(sp)
    ld      x13, 13*8(sp)
    ld      x14, 14*8(sp)
    ld      x15, 15*8(sp)
    ld      x16, 16*8(sp)
    ld      x17, 17*8(sp)
    ld      x18, 18*8(sp)
    ld      x19, 19*8(sp)
    ld      x20, 20*8(sp)
    ld      x21, 21*8(sp)
    ld      x22, 22*8(sp)
    ld      x23, 23*8(sp)
    ld      x24, 24*8(sp)
    ld      x25, 25*8(sp)
    ld      x26, 26*8(sp)
    ld      x27, 27*8(sp)
    ld      x28, 28*8(sp)
    ld      x29, 29*8(sp)
    ld      x30, 30*8(sp)
    ld      x31, 31*8(sp)
    ld      x2,   2*8(sp)
    sret

/*
 * The user program, alone on its page (mapped at a user virtual address by
 * the paging check, see checks_cpu.cpp). It may not use gp-relative or
 * absolute addresses of the image: only the constants it is given in
 * registers. a0 = user data page, a1 = an unmapped address.
 *   1. reads time (traps as an illegal instruction when scounteren.TM = 0;
 *      the handler steps over it and t0 keeps 0),
 *   2. stores it and a pattern into the data page,
 *   3. loads from the unmapped address (a page fault; stepped over),
 *   4. ecall: back to supervisor mode.
 */
    .section .text.conformance_user_page, "ax"
    .balign 4096
    .global conformance_user_program
conformance_user_program:
    li      t0, 0
    rdtime  t0
    sd      t0, 0(a0)
    li      t1, 0x5eed
    sd      t1, 8(a0)
    ld      t2, 0(a1)
    li      a7, 0x55534552          /* "USER" */
    ecall
1:  j       1b
    .balign 4096

/*
 * Entry of a secondary hart started with SBI HSM hart_start: a0 = hart id,
 * a1 = opaque. Everything else (sp, gp, stvec) is unset: give it its stack.
 */
    .section .text.conformance_secondary, "ax"
    .global conformance_secondary_entry
conformance_secondary_entry:
    lla     gp, __global_pointer$       /* norelax: not relative to gp itself */
    lla     sp, conformance_secondary_stack_top
    mv      tp, a0                  /* the trap handler's per-hart state index */
    call    conformance_secondary_main
1:  wfi
    j       1b

    .section .bss.conformance_secondary_stack, "aw", @nobits
    .balign 16
conformance_secondary_stack:
    .space  8192
conformance_secondary_stack_top:

/*
 * conformance_suspend_nonretentive(SuspendContext* ctx): SBI HSM
 * hart_suspend(NON_RETENTIVE, conformance_resume_entry, ctx). Returns the
 * SBI error if the call returns; returns 1 after the hart resumed (fresh,
 * as from hart_start: a0 = hart id, a1 = ctx, no stack, stvec unset), with
 * the callee-saved registers, sp, gp and tp restored from ctx and what the
 * resumed hart saw stored in it (see checks_sbi.cpp SuspendContext).
 */
#define CTX_RA       0
#define CTX_SP       8
#define CTX_GP      16
#define CTX_TP      24
#define CTX_S0      32
#define CTX_A0     128
#define CTX_A1     136
#define CTX_SATP   144
#define CTX_SSTATUS 152

    .section .text.conformance_suspend, "ax"
    .global conformance_suspend_nonretentive
conformance_suspend_nonretentive:
    sd      ra, CTX_RA(a0)
    sd      sp, CTX_SP(a0)
    sd      gp, CTX_GP(a0)
    sd      tp, CTX_TP(a0)
    sd      s0,  CTX_S0+0*8(a0)
    sd      s1,  CTX_S0+1*8(a0)
    sd      s2,  CTX_S0+2*8(a0)
    sd      s3,  CTX_S0+3*8(a0)
    sd      s4,  CTX_S0+4*8(a0)
    sd      s5,  CTX_S0+5*8(a0)
    sd      s6,  CTX_S0+6*8(a0)
    sd      s7,  CTX_S0+7*8(a0)
    sd      s8,  CTX_S0+8*8(a0)
    sd      s9,  CTX_S0+9*8(a0)
    sd      s10, CTX_S0+10*8(a0)
    sd      s11, CTX_S0+11*8(a0)
    mv      a2, a0                  /* opaque */
    lla     a1, conformance_resume_entry
    li      a0, 0x80000000          /* non-retentive */
    li      a6, 3                   /* hart_suspend */
    li      a7, 0x48534D            /* HSM */
    ecall
    ret                             /* only on an error: a0 = it */

    .balign 4
conformance_resume_entry:           /* a0 = hart id, a1 = ctx */
    sd      a0, CTX_A0(a1)
    sd      a1, CTX_A1(a1)
    csrr    t0, satp
    sd      t0, CTX_SATP(a1)
    csrr    t0, sstatus
    sd      t0, CTX_SSTATUS(a1)
    ld      ra, CTX_RA(a1)
    ld      sp, CTX_SP(a1)
    ld      gp, CTX_GP(a1)
    ld      tp, CTX_TP(a1)
    ld      s0,  CTX_S0+0*8(a1)
    ld      s1,  CTX_S0+1*8(a1)
    ld      s2,  CTX_S0+2*8(a1)
    ld      s3,  CTX_S0+3*8(a1)
    ld      s4,  CTX_S0+4*8(a1)
    ld      s5,  CTX_S0+5*8(a1)
    ld      s6,  CTX_S0+6*8(a1)
    ld      s7,  CTX_S0+7*8(a1)
    ld      s8,  CTX_S0+8*8(a1)
    ld      s9,  CTX_S0+9*8(a1)
    ld      s10, CTX_S0+10*8(a1)
    ld      s11, CTX_S0+11*8(a1)
    li      a0, 1
    ret
