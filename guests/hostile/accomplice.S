/*
 * Entry of the accomplice, vhart 1 (harts.hpp): where HSM hart_start starts
 * it and a non-retentive suspend resumes it, with a0 = hart id, a1 = opaque
 * and every other register undefined. Its own stack, gp, tp = hart id.
 */
    .option norelax                     /* lld: no R_RISCV_ALIGN for the .balign */
    .section .text.hostile_accomplice_entry, "ax"
    .balign 4
    .global hostile_accomplice_entry
hostile_accomplice_entry:
    lla     gp, __global_pointer$
    lla     sp, hostile_accomplice_stack_top
    mv      tp, a0
    call    hostile_accomplice_main
1:  wfi
    j       1b

    .section .bss.hostile_accomplice_stack, "aw", @nobits
    .balign 16
    .space  16384
hostile_accomplice_stack_top:
