/* Bare-metal guest entry: a0 = hart id, a1 = DTB (as from SBI firmware). */
    .section .text.entry, "ax"
    .global _start
_start:
    .option push
    .option norelax
    lla     gp, __global_pointer$
    .option pop
    lla     sp, __stack_top
    /* Clear .bss */
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    guest_main
    /* guest_main must not return; if it does, spin. */
3:  wfi
    j       3b
