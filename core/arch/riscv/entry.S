/*
 * HS-mode entry points and the trap path.
 *
 * _start            OpenSBI jumps here on the boot hart: a0 = hartid, a1 = DTB
 *                   (any later hart continues as tessera_secondary).
 * tessera_secondary SBI HSM hart_start target for the other harts: a0 = hartid.
 * tessera_trap      stvec. While a guest runs, sscratch holds its VcpuContext*;
 *                   while the hypervisor runs, sscratch is 0, so a trap taken in
 *                   HS-mode itself is told apart with one branch.
 * tessera_enter_guest(VcpuContext*) loads every guest register and sepc, and srets.
 *
 * Every trap starts the C++ handler on a fresh stack (VcpuContext.hv_stack_top):
 * the hypervisor keeps no state on its stack between two traps. An SBI call
 * (the most frequent exit) saves and restores only the caller-saved registers
 * and sp; other exits also save gp, tp and s0-s11 (see vcpu_context.hpp).
 * sepc stays in its CSR: handlers that step over an instruction write it.
 */
#define SEPC_OFFSET        (32 * 8)
#define STACK_OFFSET       (33 * 8)
#define RESTORE_ALL_OFFSET (34 * 8)
/* mmio_exit:: in vcpu/emulated_devices.hpp */
#define MMIO_FETCHED              0
#define MMIO_TRANSFORMED          1
#define MMIO_FETCH_FAULTED        2
#define MMIO_NEEDS_ALL_REGISTERS  1

    .section .text.entry, "ax"
    .option norvc
    .global _start
_start:
    /* Only one hart may boot the hypervisor. Any other that arrives here
     * goes on as a secondary hart: a firmware that starts every hart here,
     * or a hart we started with SBI HSM that the firmware sent to its own
     * original next address instead of tessera_secondary (seen with
     * Debian 12's OpenSBI 1.1 on QEMU under load: the hart arrives here
     * with a1 = the firmware's DTB, not our opaque 0). */
    lla     t0, tessera_boot_claimed
    li      t1, 1
    amoswap.w.aq t1, t1, (t0)
    bnez    t1, tessera_secondary
    /* Clear .bss before any C++ runs. */
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  fence
    call    .Lsetup_hart
    tail    tessera_boot_main           /* (hartid, dtb) */

    .global tessera_secondary
tessera_secondary:
    call    .Lsetup_hart
    tail    tessera_secondary_main      /* (hartid) */

/* sp = top of this hart's stack, stvec, sscratch = 0, S interrupts off.
 * Harts beyond the configured count are parked. Preserves a0, a1. */
.Lsetup_hart:
    csrw    sie, zero
    csrci   sstatus, 2
    csrw    sscratch, zero
    lla     t0, tessera_trap
    csrw    stvec, t0
    lla     t0, tessera_hart_count
    lwu     t0, 0(t0)
    bgeu    a0, t0, .Lpark
    lla     t0, tessera_stack_size
    ld      t0, 0(t0)
    addi    t1, a0, 1
    mul     t1, t1, t0
    lla     sp, tessera_stacks
    add     sp, sp, t1
    ret

.Lpark:
    csrw    sie, zero
3:  wfi
    j       3b

    .section .text.trap, "ax"
    .balign 4
    .global tessera_trap
tessera_trap:
    csrrw   sp, sscratch, sp
    beqz    sp, .Ltrap_from_hs
    /* sp = VcpuContext*, sscratch = guest sp. Save what C++ may clobber. */
    sd      x1,   1*8(sp)
    sd      x5,   5*8(sp)
    sd      x6,   6*8(sp)
    sd      x7,   7*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    csrrw   t0, sscratch, zero          /* the hypervisor runs with sscratch = 0 */
    sd      t0,  2*8(sp)
    csrr    t1, scause
    li      t2, 10                      /* environment call from VS-mode */
    mv      a0, sp
    ld      sp, STACK_OFFSET(a0)
    bne     t1, t2, .Lslow_exit
    call    tessera_handle_sbi_call     /* fast path: an SBI call */
.Lresume:                               /* a0 = VcpuContext* */
    ld      t0, RESTORE_ALL_OFFSET(a0)
    bnez    t0, .Lrestore_all
.Lresume_caller_saved:
    csrw    sscratch, a0
    ld      x1,   1*8(a0)
    ld      x2,   2*8(a0)
    ld      x5,   5*8(a0)
    ld      x6,   6*8(a0)
    ld      x7,   7*8(a0)
    ld      x11, 11*8(a0)
    ld      x12, 12*8(a0)
    ld      x13, 13*8(a0)
    ld      x14, 14*8(a0)
    ld      x15, 15*8(a0)
    ld      x16, 16*8(a0)
    ld      x17, 17*8(a0)
    ld      x28, 28*8(a0)
    ld      x29, 29*8(a0)
    ld      x30, 30*8(a0)
    ld      x31, 31*8(a0)
    ld      x10, 10*8(a0)
    sret

/* gp, tp and s0-s11 of the guest, which the C++ handlers preserve but may
 * need to read or change (restore_all). */
.macro SAVE_CALLEE_SAVED base
    sd      x3,   3*8(\base)
    sd      x4,   4*8(\base)
    sd      x8,   8*8(\base)
    sd      x9,   9*8(\base)
    sd      x18, 18*8(\base)
    sd      x19, 19*8(\base)
    sd      x20, 20*8(\base)
    sd      x21, 21*8(\base)
    sd      x22, 22*8(\base)
    sd      x23, 23*8(\base)
    sd      x24, 24*8(\base)
    sd      x25, 25*8(\base)
    sd      x26, 26*8(\base)
    sd      x27, 27*8(\base)
.endm

/* Any exit but an SBI call. t1 = scause. A load or store guest-page fault
 * (21 or 23: MMIO emulation, the most frequent of these) keeps the fast
 * register set; the others save the rest, since their handler may read
 * any register. */
.Lslow_exit:
    mv      a1, t1                      /* scause */
    addi    t2, t1, -21
    andi    t2, t2, ~2
    bnez    t2, .Lother_exit
    li      a5, 0                       /* all_saved: no */
/* The faulting instruction: from htinst, else read with HLVX.
 * a0 = vcpu, a1 = scause, a5 = all_saved (see vcpu/emulated_devices.hpp). */
.Lmmio_exit:
    csrr    a4, sepc
    csrr    a2, htinst
    li      a3, MMIO_TRANSFORMED
    bnez    a2, tessera_trap_mmio_call
    lla     t1, tessera_fetch_fault
    csrrw   t1, stvec, t1               /* t1 = the trap vector to restore */
    andi    t2, a4, 3
    bnez    t2, .Lfetch_halves
    .insn r 0x73, 0x4, 0x34, a2, a4, x3 /* hlvx.wu a2, (a4): aligned, one read */
.Lfetched:
    csrw    stvec, t1
    li      a3, MMIO_FETCHED
tessera_trap_mmio_call:                  /* a named label: reached from .text.trap_fetch_fault */
    call    tessera_handle_mmio_exit
    andi    t0, a0, MMIO_NEEDS_ALL_REGISTERS
    beqz    t0, .Lresume
    /* The access names gp, tp or s0-s11: the trap CSRs are untouched, so
     * save those registers and serve the exit again. */
    andi    a0, a0, ~MMIO_NEEDS_ALL_REGISTERS
    SAVE_CALLEE_SAVED a0
    csrr    a1, scause
    li      a5, 1
    j       .Lmmio_exit

/* A 2-byte aligned instruction is read as two halves (a 32-bit one may
 * straddle a page). HLVX translates with the guest's page tables (vsatp)
 * and stage 2 and needs execute permission, at the privilege in
 * hstatus.SPVP. */
.Lfetch_halves:
    .insn r 0x73, 0x4, 0x32, a2, a4, x3 /* hlvx.hu a2, (a4) */
    andi    t2, a2, 3
    li      t0, 3
    bne     t2, t0, .Lfetched           /* compressed: 16 bits are all of it */
    addi    t0, a4, 2
    .insn r 0x73, 0x4, 0x32, t2, t0, x3 /* hlvx.hu t2, (t0) */
    slli    t2, t2, 16
    or      a2, a2, t2
    j       .Lfetched

.Lother_exit:
    SAVE_CALLEE_SAVED a0
    call    tessera_handle_exit
    j       .Lresume

/* Starts (or restarts) a vCPU from its saved registers and sepc. */
    .global tessera_enter_guest
tessera_enter_guest:
    ld      t0, SEPC_OFFSET(a0)
    csrw    sepc, t0
.Lrestore_all:
    sd      zero, RESTORE_ALL_OFFSET(a0)
    ld      x3,   3*8(a0)
    ld      x4,   4*8(a0)
    ld      x8,   8*8(a0)
    ld      x9,   9*8(a0)
    ld      x18, 18*8(a0)
    ld      x19, 19*8(a0)
    ld      x20, 20*8(a0)
    ld      x21, 21*8(a0)
    ld      x22, 22*8(a0)
    ld      x23, 23*8(a0)
    ld      x24, 24*8(a0)
    ld      x25, 25*8(a0)
    ld      x26, 26*8(a0)
    ld      x27, 27*8(a0)
    j       .Lresume_caller_saved

/* A trap in HS-mode is a hypervisor bug: report it and stop the machine.
 * A second trap while reporting it (the report itself faulting) stops this
 * hart where it is instead of nesting again and again down its stack. */
.Ltrap_from_hs:
    csrrw   sp, sscratch, sp            /* back to the HS stack; sscratch = 0 */
    lla     t0, tessera_halt_nested_trap
    csrw    stvec, t0
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    tail    tessera_hs_trap
    .balign 4
    .global tessera_halt_nested_trap
tessera_halt_nested_trap:
    wfi
    j       tessera_halt_nested_trap

/* stvec while the instruction is read: the read faulted (another hart of
 * the guest changed its page tables). Its trap overwrote sepc, scause,
 * stval, htval, sstatus.SPP/SPIE and hstatus.SPV; the handler restores what
 * the guest needs and lets it retry. In a section of its own, which starts
 * 4-byte aligned as stvec needs, with no padding that relaxation could move. */
    .section .text.trap_fetch_fault, "ax"
    .option push
    .option norelax
    .balign 4
tessera_fetch_fault:
    csrw    stvec, t1
    li      a3, MMIO_FETCH_FAULTED
    j       tessera_trap_mmio_call
    .option pop

    .section .data.boot, "aw"
    .balign 4
tessera_boot_claimed:
    .word   0
