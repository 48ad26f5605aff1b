/*
 * /init of Tessera's Linux guest: the only process the guest runs.
 *
 * It checks, from user space, what the kernel found on the (virtual) machine:
 * the harts in /proc/cpuinfo, the virtio-blk disk /dev/vda, and that timer
 * interrupts arrive. It prints one line per check, then
 *   tessera-linux-init: RESULT PASS   (or RESULT FAIL)
 * and powers the machine off, pass or fail, so a test never waits for a
 * timeout to learn the outcome.
 *
 * Built with riscv64-linux-gnu-gcc -static -O2 (lp64d) by build.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    failures++;
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

/* tessera.cpus=N on the kernel command line: how many harts the machine (or
 * the partition) has. The kernel ignores parameters with a dot that name no
 * built-in module, so it reaches us only through /proc/cmdline. */
static long expected_cpus(void)
{
    static char cmdline[4096];
    const char *key = "tessera.cpus=";

    if (!read_text("/proc/cmdline", cmdline, sizeof cmdline))
        return 1;
    for (char *token = strtok(cmdline, " \n"); token; token = strtok(NULL, " \n"))
        if (strncmp(token, key, strlen(key)) == 0)
            return strtol(token + strlen(key), NULL, 10);
    return 1;
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
    clock_gettime(CLOCK_MONOTONIC, &before);
    int status;
    while ((status = clock_nanosleep(CLOCK_MONOTONIC, 0, &sleep, &sleep)) == EINTR)
        ;
    clock_gettime(CLOCK_MONOTONIC, &after);
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

int main(void)
{
    /* The kernel opened /dev/console of the initramfs for fds 0-2. Mounting
     * devtmpfs over /dev hides that node but the open fds stay valid. */
    mount_or_fail("devtmpfs", "/dev", "devtmpfs");
    mount_or_fail("proc", "/proc", "proc");
    mount_or_fail("sysfs", "/sys", "sysfs");
    say("started");

    check_cpuinfo();
    check_disk();
    check_timer();

    say("RESULT %s", failures == 0 ? "PASS" : "FAIL");
    sync();
    reboot(RB_POWER_OFF);

    /* Only reached if the kernel refused: returning would make it panic
     * ("Attempted to kill init"), which hides this message; wait instead. */
    say("reboot(RB_POWER_OFF) failed: %s", strerror(errno));
    for (;;)
        pause();
}
