/*
 * The measured operations of the benchmark guest, and the loop that runs them.
 *
 * Everything measured is written here in assembly so that the instructions
 * the guest itself executes are fixed: the same natively and under the
 * hypervisor, and the same whatever the compiler does to main.cpp.
 *
 * bench_run(n, op) calls op n times between two reads of instret and
 * returns the difference. One iteration is `jalr op`, the op, `addi`,
 * `bnez`; the caller runs the same loop around bench_op_empty (a lone `ret`,
 * so 4 instructions an iteration) and subtracts it: a figure is the op's
 * instructions without its final `ret`, plus whatever the machine executes
 * on its behalf (firmware, hypervisor).
 *
 * Each op follows the C calling convention but touches only t0-t6 and
 * a0-a7 (an SBI call preserves every other register).
 */
#define CSR_STIMECMP       0x14d
#define SBI_EXT_BASE       0x10
#define SBI_EXT_TIME       0x54494d45
#define PLIC_BASE          0x0c000000
#define PLIC_PRIORITY_11   (PLIC_BASE + 4 * 11)
#define PLIC_CLAIM_CTX1    (PLIC_BASE + 0x201004)   /* hart 0, S-mode */
#define RTC_BASE           0x101000
#define RTC_ALARM_LOW      0x08
#define RTC_ALARM_HIGH     0x0c
#define RTC_CLEAR_INTR     0x1c
#define SCAUSE_STI_X2      (5 * 2)   /* scause << 1 drops the interrupt bit */
#define SCAUSE_SEI_X2      (9 * 2)
#define PAGEWALK_VA        0x40000000
#define PAGEWALK_PAGES     2048
#define PAGEWALK_STRIDE    1031      /* odd: the walk visits every page once */

    .section .text.bench, "ax"
    .option norvc                     /* fixed encodings: easier to read in traces */

/* uint64_t bench_run(uint64_t n, void (*op)()), n > 0 */
    .balign 4
    .global bench_run
bench_run:
    addi    sp, sp, -32
    sd      ra, 0(sp)
    sd      s0, 8(sp)
    sd      s1, 16(sp)
    sd      s2, 24(sp)
    mv      s0, a0
    mv      s1, a1
    csrr    s2, instret
1:  jalr    s1
    addi    s0, s0, -1
    bnez    s0, 1b
    csrr    a0, instret
    sub     a0, a0, s2
    ld      ra, 0(sp)
    ld      s0, 8(sp)
    ld      s1, 16(sp)
    ld      s2, 24(sp)
    addi    sp, sp, 32
    ret

    .global bench_op_empty
bench_op_empty:
    ret

/* 1. An SBI call that does nothing but answer: BASE get_spec_version. */
    .global bench_op_sbi_base
bench_op_sbi_base:
    li      a7, SBI_EXT_BASE
    li      a6, 0
    ecall
    ret

/* 2. SBI set_timer to the farthest future. */
    .global bench_op_sbi_set_timer
bench_op_sbi_set_timer:
    li      a7, SBI_EXT_TIME
    li      a6, 0
    li      a0, -1
    ecall
    ret

/* 3. One 32-bit read of PLIC source 11's priority register. */
    .global bench_op_mmio_read
bench_op_mmio_read:
    li      t0, PLIC_PRIORITY_11
    lw      t1, 0(t0)
    ret

/* Timer interrupts (4, 5). The deadline is time + 1: at most one tick of
 * the 10 MHz timebase, 100 ns, after the write. Under -icount shift=0 that
 * is 100 counts of instret, which also counts the time a hart spends idle
 * in wfi. So that a figure counts executed instructions only, the op
 * busy-waits TIMER_DELAY_LOOPS * 2 instructions, longer than the 100 ns:
 * the interrupt always arrives during the delay, and bench_op_timer_delay
 * (the delay alone) is subtracted. The wfi loop after it is only a guard:
 * each wfi it executes is counted in bench_waits (the guest reports it). */
#define TIMER_DELAY_LOOPS  100

    .global bench_op_timer_delay
bench_op_timer_delay:
    li      t3, TIMER_DELAY_LOOPS
1:  addi    t3, t3, -1
    bnez    t3, 1b
    ret

/* 4. Timer interrupt with Sstc: stimecmp = time + 1 (stvec =
 * bench_vec_timer_sstc, sie.STIE = sstatus.SIE = 1). */
    .global bench_op_timer_sstc
bench_op_timer_sstc:
    lla     t0, bench_flag
    sw      zero, 0(t0)
    rdtime  t1
    addi    t1, t1, 1
    csrw    CSR_STIMECMP, t1
    li      t3, TIMER_DELAY_LOOPS
1:  addi    t3, t3, -1
    bnez    t3, 1b
    j       bench_wait_flag

/* 5. Timer interrupt through SBI set_timer(time + 1) (stvec =
 * bench_vec_timer_sbi). */
    .global bench_op_timer_sbi
bench_op_timer_sbi:
    lla     t0, bench_flag
    sw      zero, 0(t0)
    rdtime  a0
    addi    a0, a0, 1
    li      a7, SBI_EXT_TIME
    li      a6, 0
    ecall
    li      t3, TIMER_DELAY_LOOPS
1:  addi    t3, t3, -1
    bnez    t3, 1b
    j       bench_wait_flag

/* 6. A passthrough device interrupt: the goldfish RTC's alarm, set in the
 * past, fires at once (IRQ_ENABLED is already 1; stvec = bench_vec_rtc). */
    .global bench_op_rtc_irq
bench_op_rtc_irq:
    lla     t0, bench_flag
    sw      zero, 0(t0)
    li      t1, RTC_BASE
    sw      zero, RTC_ALARM_HIGH(t1)
    sw      zero, RTC_ALARM_LOW(t1)
    j       bench_wait_flag

/* Returns once bench_flag (t0 = its address) is non-zero; wfi meanwhile. */
bench_wait_flag:
    lw      t2, 0(t0)
    beqz    t2, 1f
    ret
1:  lla     t4, bench_waits
    ld      t5, 0(t4)
    addi    t5, t5, 1
    sd      t5, 0(t4)
    wfi
    j       bench_wait_flag

/* 7. One pass over 2048 pages of 4 KiB mapped at PAGEWALK_VA, one word per
 * page in a stride that visits each page once; sfence.vma first so that
 * every pass walks the page tables again. */
    .global bench_op_pagewalk
bench_op_pagewalk:
    sfence.vma
    li      t0, PAGEWALK_VA
    li      t1, PAGEWALK_PAGES
    li      t2, 0
1:  slli    t3, t2, 12
    add     t3, t3, t0
    lw      t4, 0(t3)
    addi    t2, t2, PAGEWALK_STRIDE
    andi    t2, t2, PAGEWALK_PAGES - 1
    addi    t1, t1, -1
    bnez    t1, 1b
    ret

/* 8. Pure ALU: 256 rounds of a xorshift. */
    .global bench_op_alu
bench_op_alu:
    li      t0, 256
    li      t1, 0x12345
1:  slli    t2, t1, 13
    xor     t1, t1, t2
    srli    t2, t1, 7
    xor     t1, t1, t2
    addi    t0, t0, -1
    bnez    t0, 1b
    ret

/* ---- Trap vectors (stvec, direct mode), one per interrupt benchmark. Each
 * checks scause first; anything else goes to bench_unexpected_trap. Each
 * leaves a non-zero value in bench_flag. */

/* Supervisor timer, Sstc: stimecmp = -1 clears the interrupt. */
    .balign 4
    .global bench_vec_timer_sstc
bench_vec_timer_sstc:
    csrw    sscratch, t0
    csrr    t0, scause
    slli    t0, t0, 1
    addi    t0, t0, -SCAUSE_STI_X2
    bnez    t0, bench_vec_unexpected
    li      t0, -1
    csrw    CSR_STIMECMP, t0
    lla     t0, bench_flag
    sw      t0, 0(t0)
    csrr    t0, sscratch
    sret

/* Supervisor timer through SBI: set_timer(-1) clears it. */
    .balign 4
    .global bench_vec_timer_sbi
bench_vec_timer_sbi:
    addi    sp, sp, -32
    sd      a0, 0(sp)
    sd      a1, 8(sp)
    sd      a6, 16(sp)
    sd      a7, 24(sp)
    csrr    a0, scause
    slli    a0, a0, 1
    addi    a0, a0, -SCAUSE_STI_X2
    bnez    a0, bench_vec_unexpected
    li      a7, SBI_EXT_TIME
    li      a6, 0
    li      a0, -1
    ecall
    lla     a0, bench_flag
    sw      a0, 0(a0)
    ld      a0, 0(sp)
    ld      a1, 8(sp)
    ld      a6, 16(sp)
    ld      a7, 24(sp)
    addi    sp, sp, 32
    sret

/* Supervisor external: claim from the PLIC (context 1), clear the RTC's
 * interrupt, complete; bench_flag = the claimed source. */
    .balign 4
    .global bench_vec_rtc
bench_vec_rtc:
    addi    sp, sp, -16
    sd      t0, 0(sp)
    sd      t1, 8(sp)
    csrr    t0, scause
    slli    t0, t0, 1
    addi    t0, t0, -SCAUSE_SEI_X2
    bnez    t0, bench_vec_unexpected
    li      t0, PLIC_CLAIM_CTX1
    lw      t1, 0(t0)
    li      t0, RTC_BASE
    sw      zero, RTC_CLEAR_INTR(t0)
    li      t0, PLIC_CLAIM_CTX1
    sw      t1, 0(t0)
    lla     t0, bench_flag
    sw      t1, 0(t0)
    ld      t0, 0(sp)
    ld      t1, 8(sp)
    addi    sp, sp, 16
    sret

/* Anything else: report and stop (registers are not restored). */
    .balign 4
    .global bench_vec_unexpected
bench_vec_unexpected:
    j       bench_unexpected_trap

    .section .bss.bench, "aw", @nobits
    .balign 8
    .global bench_flag
bench_flag:
    .dword  0
    .global bench_waits
bench_waits:
    .dword  0
