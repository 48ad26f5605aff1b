/*
 * HS-mode entry points and the trap path.
 *
 * _start            OpenSBI jumps here on the boot hart: a0 = hartid, a1 = DTB.
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

    .section .text.entry, "ax"
    .option norvc
    .global _start
_start:
    /* Only one hart may boot the hypervisor; any other that arrives here
     * (a firmware without HSM) is parked. */
    lla     t0, tessera_boot_claimed
    li      t1, 1
    amoswap.w.aq t1, t1, (t0)
    bnez    t1, .Lpark
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

/* Any other exit (interrupt, guest-page fault, virtual instruction, ...):
 * the handler may read every register, so save the rest too. */
.Lslow_exit:
    sd      x3,   3*8(a0)
    sd      x4,   4*8(a0)
    sd      x8,   8*8(a0)
    sd      x9,   9*8(a0)
    sd      x18, 18*8(a0)
    sd      x19, 19*8(a0)
    sd      x20, 20*8(a0)
    sd      x21, 21*8(a0)
    sd      x22, 22*8(a0)
    sd      x23, 23*8(a0)
    sd      x24, 24*8(a0)
    sd      x25, 25*8(a0)
    sd      x26, 26*8(a0)
    sd      x27, 27*8(a0)
    mv      a1, t1                      /* scause */
    addi    t2, t1, -21                 /* load guest-page fault (21) or store (23): */
    andi    t2, t2, ~2                  /* MMIO emulation, the most frequent of these */
    bnez    t2, 1f
    call    tessera_handle_guest_page_fault
    j       .Lresume
1:  call    tessera_handle_exit
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

/* A trap in HS-mode is a hypervisor bug: report it and stop the machine. */
.Ltrap_from_hs:
    csrrw   sp, sscratch, sp            /* back to the HS stack; sscratch = 0 */
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    tail    tessera_hs_trap

    .section .data.boot, "aw"
    .balign 4
tessera_boot_claimed:
    .word   0
