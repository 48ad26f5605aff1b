/*
 * Running code in a lower or fresh mode and coming back, for bare-metal guests
 * that run in supervisor mode (conformance's user program, trapfuzz's
 * instruction words). Added to a guest by tessera_add_guest(... LOWER ...).
 *
 *   void guest_enter_lower(const std::uint64_t regs[32], std::uint64_t entry,
 *                          std::uint64_t previous);
 *
 * saves the callee-saved registers, gp and tp on the stack, remembers the
 * stack in guest_lower_kernel_sp and in sscratch (a trap vector that finds
 * sscratch non-zero knows it came from user mode and where its stack is),
 * then srets to `entry` with every register x1..x31 loaded from regs[1..31].
 * `previous` gives sstatus.SPP (0x100: supervisor mode, 0: user mode) and
 * sstatus.SPIE (0x20: interrupts on after the sret); its other bits are
 * ignored.
 *
 * The code never returns by itself: the caller's trap handler (or the code
 * at `entry`) ends it by getting to guest_lower_return in supervisor mode,
 * with any register contents: it reloads the stack from
 * guest_lower_kernel_sp, clears sstatus.SIE and sscratch, restores what was
 * saved, and returns to guest_enter_lower's caller.
 *
 * norelax throughout: gp holds anything while the lower code runs, so no
 * address here may be computed relative to it.
 */
    .option norelax

#define SSTATUS_SIE   0x2
#define SSTATUS_SPIE  0x20
#define SSTATUS_SPP   0x100
#define FRAME         128

    .section .text.guest_enter_lower, "ax"
    .balign 4
    .global guest_enter_lower
guest_enter_lower:
    addi    sp, sp, -FRAME
    sd      ra,    0(sp)
    sd      s0,    8(sp)
    sd      s1,   16(sp)
    sd      s2,   24(sp)
    sd      s3,   32(sp)
    sd      s4,   40(sp)
    sd      s5,   48(sp)
    sd      s6,   56(sp)
    sd      s7,   64(sp)
    sd      s8,   72(sp)
    sd      s9,   80(sp)
    sd      s10,  88(sp)
    sd      s11,  96(sp)
    sd      gp,  104(sp)
    sd      tp,  112(sp)
    lla     t0, guest_lower_kernel_sp
    sd      sp, 0(t0)
    csrw    sscratch, sp
    csrw    sepc, a1
    li      t0, SSTATUS_SPP | SSTATUS_SPIE
    csrc    sstatus, t0
    and     a2, a2, t0
    csrs    sstatus, a2
    ld      x1,   1*8(a0)
    ld      x2,   2*8(a0)
    ld      x3,   3*8(a0)
    ld      x4,   4*8(a0)
    ld      x5,   5*8(a0)
    ld      x6,   6*8(a0)
    ld      x7,   7*8(a0)
    ld      x8,   8*8(a0)
    ld      x9,   9*8(a0)
    ld      x11, 11*8(a0)
    ld      x12, 12*8(a0)
    ld      x13, 13*8(a0)
    ld      x14, 14*8(a0)
    ld      x15, 15*8(a0)
    ld      x16, 16*8(a0)
    ld      x17, 17*8(a0)
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
    ld      x28, 28*8(a0)
    ld      x29, 29*8(a0)
    ld      x30, 30*8(a0)
    ld      x31, 31*8(a0)
    ld      x10, 10*8(a0)
    sret

    .balign 4
    .global guest_lower_return
guest_lower_return:
    csrci   sstatus, SSTATUS_SIE
    csrw    sscratch, zero
    lla     t0, guest_lower_kernel_sp
    ld      sp, 0(t0)
    ld      ra,    0(sp)
    ld      s0,    8(sp)
    ld      s1,   16(sp)
    ld      s2,   24(sp)
    ld      s3,   32(sp)
    ld      s4,   40(sp)
    ld      s5,   48(sp)
    ld      s6,   56(sp)
    ld      s7,   64(sp)
    ld      s8,   72(sp)
    ld      s9,   80(sp)
    ld      s10,  88(sp)
    ld      s11,  96(sp)
    ld      gp,  104(sp)
    ld      tp,  112(sp)
    addi    sp, sp, FRAME
    ret

    .section .bss.guest_lower_kernel_sp, "aw", @nobits
    .balign 8
    .global guest_lower_kernel_sp
guest_lower_kernel_sp:
    .space  8
