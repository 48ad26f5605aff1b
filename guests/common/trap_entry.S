/*
 * A minimal trap vector for small bare-metal guests that run in supervisor
 * mode only (rtos-demo, prober, hostile): it reads the time CSR first, saves
 * the caller-saved registers on the interrupted stack and calls
 *     void guest_trap(std::uint64_t time_at_entry, guest::TrapFrame* frame);
 * which reads scause/stval/sepc itself and may write sepc (to step over a
 * faulting instruction) and the saved registers in *frame (laid out as
 * guest::TrapFrame in fault_catcher.hpp: ra, t0-t6, a0-a7), which are
 * reloaded on return. Callee-saved registers are the C++ handler's to
 * preserve. Install with `csrw stvec, guest_trap_entry` (direct mode).
 */
    .option norelax

#define FRAME_SIZE (16 * 8)

    .section .text.guest_trap_entry, "ax"
    .balign 4
    .global guest_trap_entry
guest_trap_entry:
    addi    sp, sp, -FRAME_SIZE
    sd      t0,  1*8(sp)
    rdtime  t0                      /* the time at handler entry, as early as can be */
    sd      ra,  0*8(sp)
    sd      t1,  2*8(sp)
    sd      t2,  3*8(sp)
    sd      t3,  4*8(sp)
    sd      t4,  5*8(sp)
    sd      t5,  6*8(sp)
    sd      t6,  7*8(sp)
    sd      a0,  8*8(sp)
    sd      a1,  9*8(sp)
    sd      a2, 10*8(sp)
    sd      a3, 11*8(sp)
    sd      a4, 12*8(sp)
    sd      a5, 13*8(sp)
    sd      a6, 14*8(sp)
    sd      a7, 15*8(sp)
    mv      a0, t0
    mv      a1, sp                  /* the saved registers: guest::TrapFrame */
    call    guest_trap
    ld      ra,  0*8(sp)
    ld      t0,  1*8(sp)
    ld      t1,  2*8(sp)
    ld      t2,  3*8(sp)
    ld      t3,  4*8(sp)
    ld      t4,  5*8(sp)
    ld      t5,  6*8(sp)
    ld      t6,  7*8(sp)
    ld      a0,  8*8(sp)
    ld      a1,  9*8(sp)
    ld      a2, 10*8(sp)
    ld      a3, 11*8(sp)
    ld      a4, 12*8(sp)
    ld      a5, 13*8(sp)
    ld      a6, 14*8(sp)
    ld      a7, 15*8(sp)
    addi    sp, sp, FRAME_SIZE
    sret
