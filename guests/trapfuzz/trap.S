/*
 * The fuzzer's trap vector and the ways back from a fuzz operation
 * (guests/trapfuzz/README.md). Each operation runs through
 * guest_enter_lower (guests/common/lower_mode.S) with trapfuzz_trap.active
 * set, and ends at guest_lower_return one of these ways:
 *
 *  - trapfuzz_trap_entry (stvec): the operation trapped. The vector relies
 *    on no register: the word may have changed any of them, sp included. It
 *    records scause, stval, sepc and sstatus in trapfuzz_trap and srets to
 *    guest_lower_return in supervisor mode with interrupts off. A trap with
 *    active clear came from the fuzzer's own code: that is reported
 *    (trapfuzz_unexpected_trap) and the guest stops;
 *  - trapfuzz_word_done: the VS-mode word fell through to the jump behind
 *    it (layout.cpp place_word);
 *  - trapfuzz_capture: the SBI stub's ecall returned; every register is
 *    stored in trapfuzz_after first, for the calling-convention check;
 *  - trapfuzz_resume_entry: an HSM non-retentive suspend resumed here.
 *
 * sscratch is the vector's scratch register. norelax: gp holds anything.
 */
    .option norelax

#define ACTIVE   0
#define TAKEN    8
#define SCAUSE  16
#define STVAL   24
#define SEPC    32
#define SSTATUS 40
#define T1_SAVE 48

#define SSTATUS_SIE   0x2
#define SSTATUS_SPIE  0x20
#define SSTATUS_SPP   0x100

    .section .text.trapfuzz_trap, "ax"
    .balign 4
    .global trapfuzz_trap_entry
trapfuzz_trap_entry:
    csrw    sscratch, t0
    lla     t0, trapfuzz_trap
    sd      t1, T1_SAVE(t0)
    ld      t1, ACTIVE(t0)
    beqz    t1, .Lunexpected
    sd      zero, ACTIVE(t0)
    li      t1, 1
    sd      t1, TAKEN(t0)
    csrr    t1, scause
    sd      t1, SCAUSE(t0)
    csrr    t1, stval
    sd      t1, STVAL(t0)
    csrr    t1, sepc
    sd      t1, SEPC(t0)
    csrr    t1, sstatus
    sd      t1, SSTATUS(t0)
    lla     t1, guest_lower_return
    csrw    sepc, t1
    li      t1, SSTATUS_SPP
    csrs    sstatus, t1
    li      t1, SSTATUS_SPIE
    csrc    sstatus, t1
    sret
.Lunexpected:
    /* The fuzzer's own code trapped: its sp and gp are sound. */
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    call    trapfuzz_unexpected_trap    /* does not return */
1:  j       1b

    .section .text.trapfuzz_return, "ax"
    .balign 4
    .global trapfuzz_word_done
trapfuzz_word_done:
    csrci   sstatus, SSTATUS_SIE        /* (in VU-mode this traps: active is still set) */
    lla     t0, trapfuzz_trap
    sd      zero, ACTIVE(t0)
    j       guest_lower_return

    .balign 4
    .global trapfuzz_sbi_stub
trapfuzz_sbi_stub:
    ecall
    j       trapfuzz_capture

    .balign 4
    .global trapfuzz_capture
trapfuzz_capture:
    csrw    sscratch, t0
    lla     t0, trapfuzz_after
    sd      x1,   1*8(t0)
    sd      x2,   2*8(t0)
    sd      x3,   3*8(t0)
    sd      x4,   4*8(t0)
    sd      x6,   6*8(t0)
    sd      x7,   7*8(t0)
    sd      x8,   8*8(t0)
    sd      x9,   9*8(t0)
    sd      x10, 10*8(t0)
    sd      x11, 11*8(t0)
    sd      x12, 12*8(t0)
    sd      x13, 13*8(t0)
    sd      x14, 14*8(t0)
    sd      x15, 15*8(t0)
    sd      x16, 16*8(t0)
    sd      x17, 17*8(t0)
    sd      x18, 18*8(t0)
    sd      x19, 19*8(t0)
    sd      x20, 20*8(t0)
    sd      x21, 21*8(t0)
    sd      x22, 22*8(t0)
    sd      x23, 23*8(t0)
    sd      x24, 24*8(t0)
    sd      x25, 25*8(t0)
    sd      x26, 26*8(t0)
    sd      x27, 27*8(t0)
    sd      x28, 28*8(t0)
    sd      x29, 29*8(t0)
    sd      x30, 30*8(t0)
    sd      x31, 31*8(t0)
    csrr    t1, sscratch
    sd      t1,   5*8(t0)
    j       trapfuzz_word_done

    /* HSM hart_suspend(non-retentive) resumes here: a0 = hart id, a1 = opaque. */
    .balign 4
    .global trapfuzz_resume_entry
trapfuzz_resume_entry:
    lla     t0, trapfuzz_resume
    li      t1, 1
    sd      t1, 0(t0)
    sd      a0, 8(t0)
    sd      a1, 16(t0)
    j       trapfuzz_word_done
