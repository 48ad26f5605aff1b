/* Entry of the benchmark guest: a0 = hart id, a1 = DTB (as from SBI firmware).
 * Its very first instruction reads instret, the count of instructions the
 * machine retired since reset (firmware, and the hypervisor when there is
 * one): guest_main reports it as the boot cost. The rest is as
 * guests/common/start.S. */
    .section .text.entry, "ax"
    .global _start
_start:
    csrr    a2, instret                 /* must stay the first instruction */
    .option push
    .option norelax
    lla     gp, __global_pointer$
    .option pop
    lla     sp, __stack_top
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    guest_main                  /* (hart id, DTB, instret at entry) */
3:  wfi
    j       3b
