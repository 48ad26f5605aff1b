/* Entry of test_stack_usage.py's programs: the top of tessera_stacks, then
 * test_main. ASM_PUSHES keeps 16 bytes on the stack around the call;
 * ASM_CALLS_MORE also calls test_other. */
    .section .text.entry, "ax"
    .global _start
_start:
    lla     sp, tessera_stacks
    lla     t0, tessera_stack_size
    ld      t0, 0(t0)
    add     sp, sp, t0
    lla     t0, tessera_hart_count
#ifdef ASM_PUSHES
    addi    sp, sp, -16
    sd      ra, 8(sp)
#endif
    call    test_main
#ifdef ASM_CALLS_MORE
    call    test_other
#endif
1:  wfi
    j       1b
