/*
 * Entry of the stress guest's harts 1 and 2, where SBI HSM hart_start
 * starts them and a non-retentive suspend resumes them: a0 = hart id,
 * a1 = opaque, every other register undefined. Each hart gets its own
 * 16 KiB stack (hart 0 runs on common/start.S's).
 */
    .option norelax                     /* gp is not set yet; lld: no R_RISCV_ALIGN */
    .section .text.smpstress_secondary_entry, "ax"
    .balign 4
    .global smpstress_secondary_entry
smpstress_secondary_entry:
    lla     gp, __global_pointer$
    li      t0, 3
    bgeu    a0, t0, 2f                  /* not one of the three harts: no stack for it */
    lla     sp, smpstress_stacks
    addi    t0, a0, 1
    slli    t0, t0, 14                  /* 16 KiB per hart */
    add     sp, sp, t0
    mv      tp, a0
    call    smpstress_secondary_main
2:  wfi
    j       2b

    .section .bss.smpstress_stacks, "aw", @nobits
    .balign 16
smpstress_stacks:
    .space  16384 * 3
