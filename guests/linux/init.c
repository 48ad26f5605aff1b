/*
 * /init of Tessera's Linux guest: the only process the guest runs.
 *
 * It checks, from user space, what the kernel found on the (virtual) machine:
 * the harts in /proc/cpuinfo, the virtio-blk disk /dev/vda, that timer
 * interrupts arrive and, on more than one hart, that the harts work together
 * (IPIs, remote TLB and instruction-cache fences: see check_smp). It prints
 * one line per check, then
 *   tessera-linux-init: RESULT PASS   (or RESULT FAIL)
 * and powers the machine off, pass or fail, so a test never waits for a
 * timeout to learn the outcome. With `tessera.interactive` on the kernel
 * command line it echoes console lines instead until it reads `poweroff`;
 * with `tessera.rounds=N` the timer and SMP checks run N times.
 *
 * Run by hand (not as PID 1), it mounts nothing and never powers off; it
 * then takes its command line from $TESSERA_INIT_CMDLINE rather than
 * /proc/cmdline (to try the checks on a development machine).
 *
 * Built with riscv64-linux-gnu-gcc -static -O2 (lp64d) by build.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__riscv)
#include <sys/cachectl.h>
#endif

#define TAG "tessera-linux-init: "

/* The test disk (guests/linux/mkdisk.sh) starts with exactly these bytes. */
#define DISK_DEVICE "/dev/vda"
#define DISK_MARKER "TESSERA-DISK-OK"

/* The disk's node normally exists before /init starts, but a driver whose
 * probe was deferred may add it a little later: wait up to 5 s for it. */
#define DISK_WAIT_TRIES 50
#define DISK_WAIT_STEP_NS 100000000L /* 100 ms */

#define TIMER_SLEEP_NS 100000000L /* 100 ms */

static int failures;

/* One line per call, written with a single write(2) so that it doesn't
 * interleave with kernel messages on the same console. */
static void say(const char *format, ...)
{
    char line[512];
    size_t prefix = strlen(TAG);
    size_t room = sizeof line - prefix - 1; /* keep one byte for the '\n' */
    va_list args;

    memcpy(line, TAG, prefix);
    va_start(args, format);
    int n = vsnprintf(line + prefix, room, format, args);
    va_end(args);
    /* vsnprintf returns the untruncated length; it wrote at most room - 1. */
    size_t length = prefix + (n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1);
    line[length++] = '\n';
    if (write(STDOUT_FILENO, line, length) < 0) {
        /* nowhere left to report it */
    }
}

static void fail(const char *format, ...)
{
    char text[400];
    va_list args;

    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    say("FAIL %s", text);
    __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED); /* SMP threads fail too */
}

/* Reads a whole (small) file such as /proc/cpuinfo into buffer and
 * NUL-terminates it (cut at size - 1 bytes). /proc files report size 0, so
 * read until EOF rather than by st_size. */
static const char *read_text(const char *path, char *buffer, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t used = 0;

    if (fd < 0)
        return NULL;
    while (used < size - 1) {
        ssize_t n = read(fd, buffer + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buffer[used] = '\0';
    return buffer;
}

static void mount_or_fail(const char *source, const char *target, const char *type)
{
    mkdir(target, 0755); /* present in the initramfs already; harmless if so */
    if (mount(source, target, type, 0, NULL) != 0)
        fail("mount %s on %s: %s", type, target, strerror(errno));
}

/* The kernel command line: /proc/cmdline, or $TESSERA_INIT_CMDLINE when run
 * by hand. The kernel ignores parameters with a dot that name no built-in
 * module (tessera.cpus=3, tessera.interactive), so they reach us only here. */
static const char *kernel_cmdline(void)
{
    static char cmdline[4096];
    const char *override = getpid() != 1 ? getenv("TESSERA_INIT_CMDLINE") : NULL;

    if (override) {
        snprintf(cmdline, sizeof cmdline, "%s", override);
        return cmdline;
    }
    return read_text("/proc/cmdline", cmdline, sizeof cmdline) ? cmdline : "";
}

/* The value of parameter `name` on the kernel command line: "" for a bare
 * `name`, the text after "name=" otherwise, NULL if it isn't there. */
static const char *cmdline_param(const char *name)
{
    static char value[256];
    char copy[4096], *save = NULL;
    size_t length = strlen(name);

    snprintf(copy, sizeof copy, "%s", kernel_cmdline());
    for (char *token = strtok_r(copy, " \t\n", &save); token;
         token = strtok_r(NULL, " \t\n", &save)) {
        if (strncmp(token, name, length) != 0)
            continue;
        if (token[length] == '\0' || token[length] == '=') {
            snprintf(value, sizeof value, "%s", token[length] ? token + length + 1 : "");
            return value;
        }
    }
    return NULL;
}

/* tessera.cpus=N: how many harts the machine (or the partition) has; 1
 * without it. */
static long expected_cpus(void)
{
    const char *value = cmdline_param("tessera.cpus");

    return value && *value ? strtol(value, NULL, 10) : 1;
}

/* tessera.rounds=N: the timer and SMP checks run N times (1 without it), to
 * hunt a rare lost wake-up with one boot. */
static long check_rounds(void)
{
    const char *value = cmdline_param("tessera.rounds");
    long rounds = value && *value ? strtol(value, NULL, 10) : 1;

    return rounds < 1 ? 1 : rounds;
}

/* tessera.interactive (or tessera.interactive=1): after the checks, echo
 * console lines instead of powering off. */
static int interactive_mode(void)
{
    const char *value = cmdline_param("tessera.interactive");

    return value && strcmp(value, "0") != 0;
}

/* The value after "key<tabs>: " if line is that key's line, else NULL. */
static const char *field(const char *line, const char *key)
{
    size_t length = strlen(key);

    if (strncmp(line, key, length) != 0)
        return NULL;
    line += length;
    while (*line == '\t' || *line == ' ')
        line++;
    if (*line != ':')
        return NULL;
    line++;
    while (*line == ' ')
        line++;
    return line;
}

/* The single-letter part of an ISA string ("rv64imafdc" of
 * "rv64imafdch_zicbom") holds every letter of want. */
static int isa_has(const char *isa, const char *want)
{
    size_t base = strcspn(isa, "_ \n");

    if (strncmp(isa, "rv64", 4) != 0)
        return 0;
    for (; *want; want++) {
        const char *letter = memchr(isa + 4, *want, base - 4);
        if (!letter)
            return 0;
    }
    return 1;
}

static void check_cpuinfo(void)
{
    static char text[65536];
    long expected = expected_cpus();
    int processors = 0, harts = 0, isas = 0, bad_isa = 0;

    if (!read_text("/proc/cpuinfo", text, sizeof text)) {
        fail("cpuinfo: cannot read /proc/cpuinfo: %s", strerror(errno));
        return;
    }
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        const char *value;
        if (field(line, "processor"))
            processors++;
        else if (field(line, "hart"))
            harts++;
        else if ((value = field(line, "isa"))) {
            isas++;
            /* i, m, a for the kernel; f and d because this very program is
             * lp64d: without them it could not have got this far, but a
             * kernel that hid them would break any other FP program. */
            if (!isa_has(value, "imafd")) {
                bad_isa++;
                say("cpuinfo: unexpected isa \"%s\"", value);
            }
        }
    }
    if (processors == expected && harts == processors && isas == processors && bad_isa == 0)
        say("PASS cpuinfo harts=%d", processors);
    else
        fail("cpuinfo harts=%d expected=%ld (hart lines %d, isa lines %d, bad isa %d)",
             processors, expected, harts, isas, bad_isa);
}

static void check_disk(void)
{
    char sector[512];
    struct timespec step = {0, DISK_WAIT_STEP_NS};
    int fd = -1;

    for (int try = 0; try < DISK_WAIT_TRIES; try++) {
        fd = open(DISK_DEVICE, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT)
            break;
        nanosleep(&step, NULL);
    }
    if (fd < 0) {
        fail("disk: cannot open " DISK_DEVICE ": %s", strerror(errno));
        return;
    }
    ssize_t n = pread(fd, sector, sizeof sector, 0);
    int saved = errno;
    close(fd);
    if (n != (ssize_t)sizeof sector) {
        fail("disk: read of the first sector of " DISK_DEVICE " returned %zd (%s)", n,
             n < 0 ? strerror(saved) : "short read");
        return;
    }
    if (memcmp(sector, DISK_MARKER, strlen(DISK_MARKER)) != 0) {
        fail("disk: " DISK_DEVICE " does not start with " DISK_MARKER);
        return;
    }
    say("PASS disk " DISK_DEVICE " starts with " DISK_MARKER);
}

/* Sum over all CPUs of the riscv-timer line of /proc/interrupts, e.g.
 *   "  5:   1234   987   RISC-V INTC   5 Edge   riscv-timer"
 * or -1 if there is no such line. */
static long long timer_interrupts(void)
{
    static char text[16384];

    if (!read_text("/proc/interrupts", text, sizeof text))
        return -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strstr(line, "riscv-timer"))
            continue;
        char *cursor = strchr(line, ':');
        if (!cursor)
            return -1;
        cursor++;
        long long total = 0;
        for (;;) { /* one count per online CPU, then the chip's name */
            char *end;
            long long count = strtoll(cursor, &end, 10);
            if (end == cursor)
                break;
            total += count;
            cursor = end;
        }
        return total;
    }
    return -1;
}

/* CLOCK_MONOTONIC through the system call, never through the vDSO. Linux
 * 6.1's RISC-V vDSO clock_gettime calls cpu_relax() when it meets a
 * timekeeping update in progress on another CPU, and that cpu_relax() tests
 * a kernel static key (riscv_isa_ext_keys) through a GOT entry the vDSO
 * leaves at 0: a load from address 4 and SIGSEGV. Rare, but the SMP check
 * reads the clock on every CPU often enough to meet it (natively too). The
 * system call is served by the guest kernel alone, like the vDSO would be. */
static void monotonic_now(struct timespec *now)
{
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, now);
}

static long long elapsed_ns(const struct timespec *from, const struct timespec *to)
{
    return (to->tv_sec - from->tv_sec) * 1000000000LL + (to->tv_nsec - from->tv_nsec);
}

/* The timer works if a 100 ms sleep ends (it needs a timer interrupt to wake
 * us), the monotonic clock moved by at least that much, and the timer
 * interrupt count grew meanwhile. No upper bound: emulation may be slow. */
static void check_timer(void)
{
    struct timespec before, after, sleep = {0, TIMER_SLEEP_NS};
    long long irqs_before = timer_interrupts();

    if (irqs_before < 0) {
        fail("timer: no riscv-timer line in /proc/interrupts");
        return;
    }
    monotonic_now(&before);
    int status;
    while ((status = clock_nanosleep(CLOCK_MONOTONIC, 0, &sleep, &sleep)) == EINTR)
        ;
    monotonic_now(&after);
    long long irqs_after = timer_interrupts();
    long long slept = elapsed_ns(&before, &after);

    if (status != 0)
        fail("timer: clock_nanosleep: %s", strerror(status));
    else if (slept < TIMER_SLEEP_NS)
        fail("timer: slept %lld ns, asked for %ld ns", slept, TIMER_SLEEP_NS);
    else if (irqs_after <= irqs_before)
        fail("timer: riscv-timer interrupts did not grow (%lld -> %lld)", irqs_before,
             irqs_after);
    else
        say("PASS timer slept %lld ms, riscv-timer interrupts %lld -> %lld", slept / 1000000,
            irqs_before, irqs_after);
}

/* ---- SMP --------------------------------------------------------------------
 * check_smp runs, in a child process, one thread pinned to each CPU
 * (sched_setaffinity) and, while they all run, makes the kernel use each
 * cross-hart mechanism RISC-V Linux 6.1 has; in a partition the hypervisor
 * serves every one of them:
 *  - ring: a token goes round the threads SMP_LAPS times. Each thread sleeps
 *    in FUTEX_WAIT until its predecessor, on another CPU, hands the token on
 *    with FUTEX_WAKE: a cross-CPU wake-up, which the kernel delivers with an
 *    IPI (SBI IPI: "Rescheduling" or "Function call" interrupts). The holder
 *    fills a shared block of memory that the next holder checks.
 *  - mm rounds: SMP_MM_ROUNDS times, one thread (each in turn) changes pages
 *    that every thread has just read and written: mprotect to read-only,
 *    mremap elsewhere with fresh pages mapped in their place, PROT_NONE over
 *    both. Each change must reach the other CPUs' TLBs (the kernel calls SBI
 *    RFENCE remote_sfence_vma_asid), and the others check that it did: a
 *    write faults after the mprotect, the fresh pages' contents show after
 *    the mremap, reads fault after PROT_NONE. A stale TLB entry fails. The
 *    threads keep in step by spinning here (smp_spin_barrier), not sleeping.
 *  - icache: in the same rounds the owner writes a tiny function returning
 *    the round number into an executable page and calls
 *    __riscv_flush_icache, which fences the other CPUs' instruction fetch
 *    (SBI RFENCE remote_fence_i); the others call it and check the value.
 *    QEMU keeps instruction fetch coherent by itself: there, this exercises
 *    the path but cannot catch a missing fence.i.
 * The IPI counts of /proc/interrupts must have grown on every CPU used.
 * A wake-up that doesn't come (a lost IPI) fails the check rather than hang
 * it: every futex sleep times out after SMP_WAKE_TIMEOUT_S, the whole check
 * after SMP_TIMEOUT_S. */
#define SMP_MAX_CPUS 8
#define SMP_LAPS 1000
#define SMP_BLOCK_WORDS 512
#define SMP_MM_ROUNDS 60
#define SMP_MM_PAGES 4
#define SMP_TIMEOUT_S 120     /* for the whole check */
#define SMP_WAKE_TIMEOUT_S 10 /* for one futex wake-up */
#define SMP_NO_TURN UINT32_MAX
#define SMP_IPI_CPUS 256 /* CPU numbers above this are ignored in /proc/interrupts */

struct smp_turn {
    uint32_t value; /* futex: the token value handed to this thread */
    char pad[60];   /* one cache line each */
};

static struct {
    int threads;
    int cpu[SMP_MAX_CPUS]; /* the CPU thread i is pinned to */
    struct smp_turn turn[SMP_MAX_CPUS];
    uint32_t barrier_count, barrier_generation; /* the latter is a futex */
    int stop;
    struct timespec deadline;
    size_t page;
    uint8_t *base, *alt; /* SMP_MM_PAGES pages each, always mapped (PROT_NONE between rounds) */
    uint8_t *code;       /* one read-write-execute page */
    long faults, icache_calls; /* expected faults seen, code calls checked */
} smp;

static uint64_t smp_block[SMP_BLOCK_WORDS];

static __thread sigjmp_buf smp_probe_jump;
static __thread volatile sig_atomic_t smp_probing;

static long futex(uint32_t *word, int op, uint32_t value, const struct timespec *timeout)
{
    return syscall(SYS_futex, word, op, value, timeout, NULL, 0);
}

/* Any value of token v and word j, different for every (v, j). */
static uint64_t smp_mix(uint64_t v, uint64_t j)
{
    uint64_t x = (v + 1) * 0x9e3779b97f4a7c15ULL ^ (j + 1) * 0xbf58476d1ce4e5b9ULL;

    x ^= x >> 31;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 29);
}

/* Ends the check on every thread: they return at their next wait. */
static void smp_stop(void)
{
    __atomic_store_n(&smp.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < smp.threads; i++)
        futex(&smp.turn[i].value, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
    futex(&smp.barrier_generation, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
}

/* fail() for a thread of the check, naming it; the check stops. Returns -1. */
static int smp_fail(int index, const char *format, ...)
{
    char text[300];
    va_list args;

    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    fail("smp: thread %d (cpu %d): %s", index, smp.cpu[index], text);
    smp_stop();
    return -1;
}

/* Sleeps until *word is no longer `value`: 0 then, -1 if the check stopped
 * or its deadline passed (which stops it). A sleep that times out although
 * the value did change means the FUTEX_WAKE never woke us (a lost IPI): that
 * fails too, rather than being hidden by the timeout. */
static int smp_wait_change(int index, uint32_t *word, uint32_t value, const char *what)
{
    const struct timespec tick = {SMP_WAKE_TIMEOUT_S, 0};

    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == value) {
        struct timespec now;
        if (__atomic_load_n(&smp.stop, __ATOMIC_ACQUIRE))
            return -1;
        monotonic_now(&now);
        if (now.tv_sec > smp.deadline.tv_sec)
            return smp_fail(index, "still waiting for %s after %d s", what, SMP_TIMEOUT_S);
        if (futex(word, FUTEX_WAIT_PRIVATE, value, &tick) != 0 && errno == ETIMEDOUT &&
            __atomic_load_n(word, __ATOMIC_ACQUIRE) != value)
            return smp_fail(index, "%s came but its wake-up did not within %d s (lost IPI?)", what,
                            SMP_WAKE_TIMEOUT_S);
    }
    return 0;
}

/* Every thread waits here until all have arrived. */
static int smp_barrier(int index)
{
    uint32_t generation = __atomic_load_n(&smp.barrier_generation, __ATOMIC_ACQUIRE);

    if (__atomic_add_fetch(&smp.barrier_count, 1, __ATOMIC_ACQ_REL) == (uint32_t)smp.threads) {
        __atomic_store_n(&smp.barrier_count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&smp.barrier_generation, generation + 1, __ATOMIC_RELEASE);
        futex(&smp.barrier_generation, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
        return 0;
    }
    return smp_wait_change(index, &smp.barrier_generation, generation, "the other threads");
}

/* smp_barrier without sleeping: the threads spin until the last one
 * arrives. The mm rounds use it so that nothing flushes a CPU's TLB between
 * the accesses that fill it and the probes that check it. Under QEMU a hart's
 * whole TLB is flushed when it switches between guest and hypervisor (which
 * waking a sleeping CPU takes: an IPI) and when sstatus.SUM changes (which
 * any system call that copies to or from user memory does): either would
 * hide a remote fence that never reached that CPU. So: no sleep, and only a
 * rare system call (for the deadline) while spinning. */
#define SMP_SPINS_PER_CLOCK_READ (1ul << 22)

static int smp_spin_barrier(int index)
{
    uint32_t generation = __atomic_load_n(&smp.barrier_generation, __ATOMIC_ACQUIRE);

    if (__atomic_add_fetch(&smp.barrier_count, 1, __ATOMIC_ACQ_REL) == (uint32_t)smp.threads) {
        __atomic_store_n(&smp.barrier_count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&smp.barrier_generation, generation + 1, __ATOMIC_RELEASE);
        return 0;
    }
    for (unsigned long spins = 1;
         __atomic_load_n(&smp.barrier_generation, __ATOMIC_ACQUIRE) == generation; spins++) {
        if (__atomic_load_n(&smp.stop, __ATOMIC_ACQUIRE))
            return -1;
        if (spins % SMP_SPINS_PER_CLOCK_READ == 0) {
            struct timespec now;
            monotonic_now(&now);
            if (now.tv_sec > smp.deadline.tv_sec)
                return smp_fail(index, "still waiting for the other threads after %d s", SMP_TIMEOUT_S);
        }
    }
    return 0;
}

/* The token ring (see above). Thread i holds tokens i, i + n, i + 2n... */
static int smp_ring(int index)
{
    int n = smp.threads, next = (index + 1) % n;
    uint32_t total = (uint32_t)n * SMP_LAPS;
    uint32_t *turn = &smp.turn[index].value;

    for (uint32_t v = (uint32_t)index; v < total; v += (uint32_t)n) {
        uint32_t seen;
        while ((seen = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != v) {
            if (seen != SMP_NO_TURN && seen > v)
                return smp_fail(index, "got token %u, expected %u", seen, v);
            if (smp_wait_change(index, turn, seen, "the token"))
                return -1;
        }
        if (v > 0) {
            int wrong = 0;
            for (int j = 0; j < SMP_BLOCK_WORDS; j++)
                wrong += smp_block[j] != smp_mix(v - 1, j);
            if (wrong)
                return smp_fail(index, "token %u: %d of %d words of the block are not what cpu %d wrote",
                                v, wrong, SMP_BLOCK_WORDS, smp.cpu[(index + n - 1) % n]);
        }
        int cpu = sched_getcpu();
        if (cpu != smp.cpu[index])
            return smp_fail(index, "token %u: running on cpu %d", v, cpu);
        for (int j = 0; j < SMP_BLOCK_WORDS; j++)
            smp_block[j] = smp_mix(v, j);
        if (v + 1 < total) {
            __atomic_store_n(&smp.turn[next].value, v + 1, __ATOMIC_RELEASE);
            futex(&smp.turn[next].value, FUTEX_WAKE_PRIVATE, 1, NULL);
        }
    }
    return 0;
}

static void smp_on_segv(int signal_number, siginfo_t *info, void *context)
{
    (void)info;
    (void)context;
    if (smp_probing) {
        smp_probing = 0;
        siglongjmp(smp_probe_jump, 1);
    }
    /* A fault outside a probe is a bug of this program: let it kill the
     * check's process, which check_smp reports. */
    signal(signal_number, SIG_DFL);
}

/* Reads *word into *value: 0, or 1 if the read faulted. No system call
 * before the access (sigsetjmp without the signal mask; SIGSEGV's handler
 * runs with SA_NODEFER, so nothing stays blocked): it would flush QEMU's TLB
 * (see smp_spin_barrier). */
static int smp_probe_read(const volatile uint64_t *word, uint64_t *value)
{
    if (sigsetjmp(smp_probe_jump, 0))
        return 1;
    smp_probing = 1;
    *value = *word;
    smp_probing = 0;
    return 0;
}

/* Writes value to *word: 0, or 1 if the write faulted. */
static int smp_probe_write(volatile uint64_t *word, uint64_t value)
{
    if (sigsetjmp(smp_probe_jump, 0))
        return 1;
    smp_probing = 1;
    *word = value;
    smp_probing = 0;
    return 0;
}

/* Word `word` of page `page` of a region. Word 0 of a page holds its magic,
 * word 1 + i is thread i's. */
static volatile uint64_t *smp_word(uint8_t *region, int page, int word)
{
    return (volatile uint64_t *)(region + (size_t)page * smp.page) + word;
}

/* What page `page` holds in mm round `round`: generation 1 at first, 2 in the
 * fresh pages mapped after the mremap. */
static uint64_t smp_magic(unsigned round, int page, int generation)
{
    return smp_mix(0x10000000u + round * 16 + (unsigned)generation * 8 + (unsigned)page, 0x70a6e);
}

/* Writes "return round & 0x7ff" at smp.code and makes every CPU's
 * instruction fetch see it. 0, or -1 on this architecture (no such check). */
static int smp_write_code(unsigned round)
{
    uint32_t value = round & 0x7ff;
#if defined(__riscv)
    uint32_t code[2] = {value << 20 | 10 << 7 | 0x13, /* addi a0, zero, value */
                        0x00008067};                  /* ret (jalr zero, 0(ra)) */
    memcpy(smp.code, code, sizeof code);
    /* flags 0: for every thread of the process, on any CPU (remote fence.i) */
    return __riscv_flush_icache(smp.code, smp.code + sizeof code, 0) == 0 ? 0 : -1;
#elif defined(__x86_64__)
    uint8_t code[6] = {0xb8, (uint8_t)value, (uint8_t)(value >> 8), 0, 0, 0xc3}; /* mov eax; ret */
    memcpy(smp.code, code, sizeof code);
    __builtin___clear_cache((char *)smp.code, (char *)smp.code + sizeof code);
    return 0;
#else
    return -1;
#endif
}

/* Steps of one mm round, all threads in lockstep; round % n owns it. */
static int smp_mm_round(int index, unsigned round)
{
    int n = smp.threads, owner = (int)(round % (unsigned)n), mine = index == owner;
    size_t size = SMP_MM_PAGES * smp.page;
    uint64_t value;

    /* 1. The owner maps the pages read-write and writes them (and the code). */
    if (mine) {
        if (mmap(smp.base, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) == MAP_FAILED)
            return smp_fail(index, "round %u: mmap: %s", round, strerror(errno));
        for (int p = 0; p < SMP_MM_PAGES; p++)
            *smp_word(smp.base, p, 0) = smp_magic(round, p, 1);
        if (smp.code && smp_write_code(round) != 0)
            return smp_fail(index, "round %u: __riscv_flush_icache: %s", round, strerror(errno));
    }
    if (smp_spin_barrier(index))
        return -1;

    /* 2. Everyone reads them and writes its word: every TLB now maps them
     *    writable. The others run the owner's new code. */
    for (int p = 0; p < SMP_MM_PAGES; p++) {
        if (smp_probe_read(smp_word(smp.base, p, 0), &value))
            return smp_fail(index, "round %u: reading page %d faulted", round, p);
        if (value != smp_magic(round, p, 1))
            return smp_fail(index, "round %u: page %d holds %#llx, cpu %d wrote %#llx", round, p,
                            (unsigned long long)value, smp.cpu[owner],
                            (unsigned long long)smp_magic(round, p, 1));
        if (smp_probe_write(smp_word(smp.base, p, 1 + index), smp_magic(round, p, 1) ^ (uint64_t)index))
            return smp_fail(index, "round %u: writing page %d faulted", round, p);
    }
    if (!mine && smp.code) {
        int got = ((int (*)(void))(void *)smp.code)();
        if (got != (int)(round & 0x7ff))
            return smp_fail(index, "round %u: the code cpu %d wrote returned %d, expected %u", round,
                            smp.cpu[owner], got, round & 0x7ff);
        __atomic_add_fetch(&smp.icache_calls, 1, __ATOMIC_RELAXED);
    }
    if (smp_spin_barrier(index))
        return -1;

    /* 3. The owner checks every thread's word and makes the pages read-only. */
    if (mine) {
        for (int p = 0; p < SMP_MM_PAGES; p++)
            for (int t = 0; t < n; t++)
                if (*smp_word(smp.base, p, 1 + t) != (smp_magic(round, p, 1) ^ (uint64_t)t))
                    return smp_fail(index, "round %u: page %d: the word of cpu %d is wrong", round, p,
                                    smp.cpu[t]);
        if (mprotect(smp.base, size, PROT_READ) != 0)
            return smp_fail(index, "round %u: mprotect: %s", round, strerror(errno));
    }
    if (smp_spin_barrier(index))
        return -1;

    /* 4. The others: writes fault, reads still work. Writes first: from the
     *    first fault on, the signal's delivery has flushed this CPU's TLB
     *    under QEMU; the reads then fill it again for step 6. */
    if (!mine) {
        for (int p = 0; p < SMP_MM_PAGES; p++) {
            if (!smp_probe_write(smp_word(smp.base, p, 1 + index), 0))
                return smp_fail(index, "round %u: could still write page %d after cpu %d made it read-only "
                                "(stale TLB entry: remote sfence.vma missing?)", round, p, smp.cpu[owner]);
            __atomic_add_fetch(&smp.faults, 1, __ATOMIC_RELAXED);
        }
        for (int p = 0; p < SMP_MM_PAGES; p++)
            if (smp_probe_read(smp_word(smp.base, p, 0), &value) || value != smp_magic(round, p, 1))
                return smp_fail(index, "round %u: page %d unreadable or changed after mprotect", round, p);
    }
    if (smp_spin_barrier(index))
        return -1;

    /* 5. The owner moves the pages to alt and maps fresh ones in their place. */
    if (mine) {
        if (mremap(smp.base, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, smp.alt) == MAP_FAILED)
            return smp_fail(index, "round %u: mremap: %s", round, strerror(errno));
        if (mmap(smp.base, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0) == MAP_FAILED)
            return smp_fail(index, "round %u: mmap after mremap: %s", round, strerror(errno));
        for (int p = 0; p < SMP_MM_PAGES; p++)
            *smp_word(smp.base, p, 0) = smp_magic(round, p, 2);
    }
    if (smp_spin_barrier(index))
        return -1;

    /* 6. The others see the fresh pages at base (a stale TLB entry would show
     *    the old ones) and the old ones at alt. */
    if (!mine) {
        for (int p = 0; p < SMP_MM_PAGES; p++) {
            if (smp_probe_read(smp_word(smp.base, p, 0), &value))
                return smp_fail(index, "round %u: reading fresh page %d faulted", round, p);
            if (value != smp_magic(round, p, 2))
                return smp_fail(index, "round %u: page %d holds %#llx after cpu %d replaced it, expected %#llx%s",
                                round, p, (unsigned long long)value, smp.cpu[owner],
                                (unsigned long long)smp_magic(round, p, 2),
                                value == smp_magic(round, p, 1) ? " (the old page: stale TLB entry)" : "");
            if (smp_probe_read(smp_word(smp.alt, p, 0), &value) || value != smp_magic(round, p, 1))
                return smp_fail(index, "round %u: moved page %d unreadable or wrong", round, p);
        }
    }
    if (smp_spin_barrier(index))
        return -1;

    /* 7. The owner maps PROT_NONE over both (the old pages are freed). */
    if (mine) {
        if (mmap(smp.base, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
            mmap(smp.alt, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
            return smp_fail(index, "round %u: mmap PROT_NONE: %s", round, strerror(errno));
    }
    if (smp_spin_barrier(index))
        return -1;

    /* 8. The others: reads fault at both. */
    if (!mine) {
        for (int p = 0; p < SMP_MM_PAGES; p++) {
            if (!smp_probe_read(smp_word(smp.base, p, 0), &value) ||
                !smp_probe_read(smp_word(smp.alt, p, 0), &value))
                return smp_fail(index, "round %u: page %d still readable after cpu %d unmapped it "
                                "(stale TLB entry: remote sfence.vma missing?)", round, p, smp.cpu[owner]);
            __atomic_add_fetch(&smp.faults, 2, __ATOMIC_RELAXED);
        }
    }
    return smp_spin_barrier(index);
}

static void *smp_thread(void *argument)
{
    int index = (int)(intptr_t)argument;
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(smp.cpu[index], &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        smp_fail(index, "sched_setaffinity: %s", strerror(errno));
        return NULL;
    }
    if (sched_getcpu() != smp.cpu[index]) {
        smp_fail(index, "runs on cpu %d after sched_setaffinity", sched_getcpu());
        return NULL;
    }
    if (smp_barrier(index) || smp_ring(index) || smp_barrier(index))
        return NULL;
    for (unsigned round = 0; round < SMP_MM_ROUNDS; round++)
        if (smp_mm_round(index, round))
            return NULL;
    return NULL;
}

/* Per-CPU sums of the IPI lines of /proc/interrupts into ipis[cpu]: on
 * RISC-V "IPI0:" to "IPI5:" (Rescheduling, Function call, CPU stop, ...),
 * elsewhere the lines named "Rescheduling interrupts", "Function call
 * interrupts" or "TLB shootdowns". The number of IPI lines, -1 if none. */
static int ipi_counts(long long ipis[SMP_IPI_CPUS])
{
    static char text[65536];
    int column_cpu[SMP_IPI_CPUS], columns = 0, lines = 0;
    char *save = NULL;

    memset(ipis, 0, sizeof(long long) * SMP_IPI_CPUS);
    if (!read_text("/proc/interrupts", text, sizeof text))
        return -1;
    char *header = strtok_r(text, "\n", &save);
    for (char *cursor = header; cursor && (cursor = strstr(cursor, "CPU")); cursor += 3)
        if (columns < SMP_IPI_CPUS)
            column_cpu[columns++] = atoi(cursor + 3);
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *label = line + strspn(line, " ");
        char *cursor = strchr(label, ':');
        if (!cursor || !(strncmp(label, "IPI", 3) == 0 || strstr(cursor, "Rescheduling interrupts") ||
                         strstr(cursor, "Function call interrupts") || strstr(cursor, "TLB shootdowns")))
            continue;
        cursor++;
        for (int column = 0; column < columns; column++) {
            char *end;
            long long count = strtoll(cursor, &end, 10);
            if (end == cursor)
                break;
            if (column_cpu[column] >= 0 && column_cpu[column] < SMP_IPI_CPUS)
                ipis[column_cpu[column]] += count;
            cursor = end;
        }
        lines++;
    }
    return lines ? lines : -1;
}

/* The check itself, run in the child process check_smp forks. */
static void smp_check_threads(long expected)
{
    static long long before[SMP_IPI_CPUS], after[SMP_IPI_CPUS];
    int failures_before = __atomic_load_n(&failures, __ATOMIC_RELAXED);
    cpu_set_t online;
    pthread_t threads[SMP_MAX_CPUS];
    int started = 0;

    if (expected > SMP_MAX_CPUS) {
        fail("smp: tessera.cpus=%ld, this check handles at most %d", expected, SMP_MAX_CPUS);
        return;
    }
    /* The CPUs: the first `expected` ones we may run on (all of them, for /init). */
    memset(&smp, 0, sizeof smp);
    smp.threads = (int)expected;
    if (sched_getaffinity(0, sizeof online, &online) != 0) {
        fail("smp: sched_getaffinity: %s", strerror(errno));
        return;
    }
    for (int cpu = 0, i = 0; cpu < CPU_SETSIZE && i < smp.threads; cpu++)
        if (CPU_ISSET(cpu, &online))
            smp.cpu[i++] = cpu;
    if (CPU_COUNT(&online) < smp.threads) {
        fail("smp: %d cpus to run on, tessera.cpus=%ld", CPU_COUNT(&online), expected);
        return;
    }

    smp.page = (size_t)sysconf(_SC_PAGESIZE);
    size_t size = SMP_MM_PAGES * smp.page;
    smp.base = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    smp.code = mmap(NULL, smp.page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (smp.base == MAP_FAILED || smp.code == MAP_FAILED) {
        fail("smp: mmap: %s", strerror(errno));
        return;
    }
    smp.alt = smp.base + size;
    if (smp_write_code(0) != 0) {
        munmap(smp.code, smp.page);
        smp.code = NULL; /* no icache check on this architecture */
    }
    struct sigaction action = {.sa_sigaction = smp_on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER}, previous;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous);

    for (int i = 0; i < smp.threads; i++)
        smp.turn[i].value = i == 0 ? 0 : SMP_NO_TURN;
    if (ipi_counts(before) < 0)
        fail("smp: no IPI lines in /proc/interrupts");
    monotonic_now(&smp.deadline);
    smp.deadline.tv_sec += SMP_TIMEOUT_S;
    for (; started < smp.threads; started++) {
        int error = pthread_create(&threads[started], NULL, smp_thread, (void *)(intptr_t)started);
        if (error) {
            fail("smp: pthread_create: %s", strerror(error));
            smp_stop();
            break;
        }
    }
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    ipi_counts(after);

    sigaction(SIGSEGV, &previous, NULL);
    munmap(smp.base, 2 * size);
    if (smp.code)
        munmap(smp.code, smp.page);
    if (__atomic_load_n(&failures, __ATOMIC_RELAXED) != failures_before)
        return; /* said why already */

    /* Every mm round, each thread but the owner took 3 faults per page. */
    long faults = (long)SMP_MM_ROUNDS * (smp.threads - 1) * SMP_MM_PAGES * 3;
    if (smp.faults != faults) {
        fail("smp: %ld expected faults, %ld seen", faults, smp.faults);
        return;
    }
    char per_cpu[256];
    size_t used = 0;
    long long total = 0;
    int quiet = -1;
    for (int i = 0; i < smp.threads; i++) {
        int cpu = smp.cpu[i];
        long long delta = cpu < SMP_IPI_CPUS ? after[cpu] - before[cpu] : 0;
        total += delta;
        if (delta <= 0 && quiet < 0)
            quiet = cpu;
        used += (size_t)snprintf(per_cpu + used, sizeof per_cpu - used, "%scpu%d +%lld",
                                 i ? " " : "", cpu, delta);
        if (used >= sizeof per_cpu)
            used = sizeof per_cpu - 1;
    }
    if (quiet >= 0) {
        fail("smp: cpu %d received no IPI during the check (%s)", quiet, per_cpu);
        return;
    }
    /* Two lines: the hypervisor's console splits lines longer than 120. */
    say("smp: IPIs received during the check: %s", per_cpu);
    say("PASS smp threads=%d handoffs=%u mm-rounds=%d faults=%ld icache-calls=%ld ipis +%lld",
        smp.threads, (unsigned)smp.threads * SMP_LAPS - 1, SMP_MM_ROUNDS, smp.faults,
        smp.icache_calls, total);
}

/* The SMP check runs in a child process, for two reasons: the kernel logs
 * every fault of PID 1's threads with a register dump (unhandled_signal()
 * treats init's handlers as absent), and the check takes hundreds of faults
 * on purpose (1440 on 3 CPUs); and a crash of the check then fails it
 * instead of killing init. */
static void check_smp(void)
{
    long expected = expected_cpus();
    int status;

    if (expected <= 1) {
        say("smp check skipped: one cpu");
        return;
    }
    pid_t child = fork();
    if (child < 0) {
        fail("smp: fork: %s", strerror(errno));
        return;
    }
    if (child == 0) {
        int before = failures;
        smp_check_threads(expected);
        _exit(failures == before ? 0 : 1);
    }
    pid_t waited;
    while ((waited = waitpid(child, &status, 0)) < 0 && errno == EINTR)
        ;
    if (waited < 0)
        fail("smp: waitpid: %s", strerror(errno));
    else if (WIFSIGNALED(status))
        fail("smp: the check's process died of signal %d", WTERMSIG(status));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        failures++; /* the child said why */
}

/* ---- Interactive mode ----------------------------------------------------- */

/* Every INPUT_POLL_MS while waiting for a line, interactive() asks the
 * serial driver for the UART's line status register (TIOCSERGETLSR). A
 * 16550 interrupts when input arrives, and Linux's 8250 driver reads it then;
 * Tessera's emulated 16550 only takes input from the hypervisor console when
 * the guest reads LSR or RBR, so on its own it would never interrupt. The
 * LSR read makes it look: the byte lands in its FIFO, the RX interrupt
 * follows and the driver reads the line as usual. On a console that is not
 * a serial port (hvc0) the ioctl fails and is harmless. */
#define INPUT_POLL_MS 50

/* Echoes console lines until `poweroff`. The console is a tty in canonical
 * mode: the kernel echoes what is typed and hands us whole lines. */
static void interactive(void)
{
    char line[256], shown[4 * sizeof line];
    size_t used = 0;
    int after_cr = 0;

    say("type a line, it is echoed (Ctrl-T then a digit switches the console focus)");
    for (;;) {
        struct pollfd console = {.fd = STDIN_FILENO, .events = POLLIN};
        int lsr;
        ioctl(STDIN_FILENO, TIOCSERGETLSR, &lsr);
        int ready = poll(&console, 1, INPUT_POLL_MS);
        if (ready == 0 || (ready < 0 && errno == EINTR))
            continue;
        char c;
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            say("reading the console failed: %s; powering off", strerror(errno));
            return;
        }
        if (n == 0) { /* end of file (Ctrl-D): keep listening */
            struct timespec pause = {0, 100000000L};
            nanosleep(&pause, NULL);
            continue;
        }
        if (c == '\n' && after_cr) { /* the \n of a \r\n */
            after_cr = 0;
            continue;
        }
        after_cr = c == '\r';
        if (c != '\n' && c != '\r') {
            if (used < sizeof line - 1)
                line[used++] = c;
            continue;
        }
        line[used] = '\0';
        used = 0;
        if (strcmp(line, "poweroff") == 0) {
            say("powering off");
            return;
        }
        /* Control characters shown as \xNN: the answer stays one line. */
        size_t out = 0;
        for (const char *p = line; *p; p++) {
            unsigned char byte = (unsigned char)*p;
            if (byte >= 0x20 && byte < 0x7f)
                shown[out++] = (char)byte;
            else
                out += (size_t)sprintf(shown + out, "\\x%02x", byte);
        }
        shown[out] = '\0';
        say("you typed '%s'", shown);
    }
}

int main(void)
{
    /* Run by hand rather than by the kernel: check, but mount nothing and
     * don't power the machine off. */
    int pid1 = getpid() == 1;

    /* The kernel opened /dev/console of the initramfs for fds 0-2. Mounting
     * devtmpfs over /dev hides that node but the open fds stay valid. */
    if (pid1) {
        mount_or_fail("devtmpfs", "/dev", "devtmpfs");
        mount_or_fail("proc", "/proc", "proc");
        mount_or_fail("sysfs", "/sys", "sysfs");
    }
    say("started");

    check_cpuinfo();
    check_disk();
    long rounds = check_rounds();
    for (long round = 1; round <= rounds; round++) {
        if (rounds > 1)
            say("round %ld of %ld", round, rounds);
        check_timer();
        check_smp();
    }

    say("RESULT %s", failures == 0 ? "PASS" : "FAIL");
    if (interactive_mode())
        interactive();
    if (!pid1)
        return failures == 0 ? 0 : 1;
    sync();
    reboot(RB_POWER_OFF);

    /* Only reached if the kernel refused: returning would make it panic
     * ("Attempted to kill init"), which hides this message; wait instead. */
    say("reboot(RB_POWER_OFF) failed: %s", strerror(errno));
    for (;;)
        pause();
}
