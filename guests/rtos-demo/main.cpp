// rtos-demo: a small bare-metal periodic task, the real-time side of a
// mixed-criticality scenario (guests/rtos-demo/README.md).
//
// A timer interrupt fires every period (bootargs `period-us`, from the DT's
// timebase-frequency): with Sstc the guest writes stimecmp itself, otherwise
// it calls SBI set_timer. The handler measures how late it runs, i.e. the
// time CSR at handler entry minus the deadline it programmed, and programs
// the next deadline as the previous one plus the period (no drift); a
// deadline already past when it gets there is counted as missed and skipped.
// Every `report` periods the task prints min/avg/max jitter and the missed
// count, then a heartbeat whose counter goes up by one per report. The task
// kicks the Tessera watchdog (SBI extension "TSR", FID 0) once per period and
// echoes what arrives on its emulated 16550.
#include <cstdint>
#include <optional>
#include <string_view>

#include "arch/riscv/csr.hpp"  // CSR numbers and accessors, shared with the hypervisor
#include "bootargs.hpp"
#include "console.hpp"
#include "guest_dt.hpp"
#include "sbi.hpp"

extern "C" void guest_trap_entry();

namespace {

using guest::hex;
using guest::Out;
using tessera::arch::csr_clear;
using tessera::arch::csr_read;
using tessera::arch::csr_set;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;

constexpr std::uint64_t kSstatusSie = 1ULL << 1;
constexpr std::uint64_t kSieStie = 1ULL << 5;
constexpr std::uint64_t kInterrupt = 1ULL << 63;
constexpr std::uint64_t kTimerInterrupt = 5;
constexpr std::uint64_t kNsPerSecond = 1000000000;

// 16550 registers (reg-shift 0): receive buffer and line status.
constexpr std::uint64_t kUartRbr = 0, kUartLsr = 5;
constexpr std::uint8_t kLsrDataReady = 0x01;
constexpr unsigned kMaxInputPerWake = 16;

struct Options {
    std::uint64_t period_us = 1000;
    std::uint64_t report = 1000;  // periods per report
    std::optional<std::uint64_t> reports, stall_after, reboot_after;
};

// Jitter statistics over one report window, in timebase ticks.
struct Window {
    std::uint64_t first = 1, last = 0;  // period numbers (the first deadline is period 1)
    std::uint64_t handled = 0, missed = 0;
    std::uint64_t min = ~0ULL, max = 0, sum = 0;
};

// Handler state (only the timer handler writes it, interrupts are off there).
struct Timer {
    bool sstc = false;
    std::uint64_t period = 0;    // ticks
    std::uint64_t report = 0;    // periods per report
    std::uint64_t deadline = 0;  // the programmed deadline
    std::uint64_t number = 0;    // its period number
    Window window;
};

Timer g_timer;
std::uint64_t g_timebase = 0;

// Between the handler and the task: read by the task with interrupts off.
volatile std::uint64_t g_periods_done = 0;  // goes up every handled period
Window g_ready;                              // the last finished window
volatile bool g_ready_valid = false;
volatile std::uint64_t g_windows_lost = 0;  // finished while the last one was unprinted

void program_timer(std::uint64_t when) {
    if (g_timer.sstc) {
        csr_write<csr::stimecmp>(when);
    } else {
        guest::sbi::set_timer(when);
    }
}

std::uint64_t now() {
    std::uint64_t value;
    asm volatile("rdtime %0" : "=r"(value));
    return value;
}

std::uint64_t ticks_to_ns(std::uint64_t ticks) {
    // ticks < 2^64 / 10^9 for anything shorter than ~30 minutes at 10 MHz.
    return ticks * kNsPerSecond / g_timebase;
}

void on_timer(std::uint64_t entry_time) {
    Timer& t = g_timer;
    Window& w = t.window;
    // The interrupt can't be taken before the deadline; clamp anyway.
    const std::uint64_t late = entry_time > t.deadline ? entry_time - t.deadline : 0;
    w.handled += 1;
    w.sum += late;
    if (late < w.min) w.min = late;
    if (late > w.max) w.max = late;

    // Next deadline: the previous one plus the period; skip those already past.
    std::uint64_t next = t.deadline + t.period;
    std::uint64_t number = t.number + 1;
    const std::uint64_t current = now();
    while (next <= current) {
        next += t.period;
        ++number;
        ++w.missed;
    }
    t.deadline = next;
    program_timer(next);

    // Periods t.number .. number-1 are over (handled or missed).
    w.last = number - 1;
    t.number = number;
    if (w.last - w.first + 1 >= t.report) {
        if (g_ready_valid) g_windows_lost = g_windows_lost + 1;
        g_ready = w;
        g_ready_valid = true;
        w = Window{};
        w.first = number;
    }
    g_periods_done = g_periods_done + 1;
}

void print_window(const Window& w) {
    const std::uint64_t avg = w.handled != 0 ? w.sum / w.handled : 0;
    Out() << "rtos-demo: periods " << w.first << "-" << w.last << " jitter min "
          << ticks_to_ns(w.handled != 0 ? w.min : 0) << " avg " << ticks_to_ns(avg) << " max "
          << ticks_to_ns(w.max) << " ns, missed " << w.missed << "\n";
}

bool take_report(Window& out) {
    csr_clear<csr::sstatus>(kSstatusSie);
    const bool valid = g_ready_valid;
    if (valid) {
        out = g_ready;
        g_ready_valid = false;
    }
    csr_set<csr::sstatus>(kSstatusSie);
    return valid;
}

std::uint8_t mmio_read8(std::uint64_t address) {
    std::uint64_t value;
    asm volatile("lbu %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return static_cast<std::uint8_t>(value);
}

void poll_input(std::uint64_t uart) {
    for (unsigned i = 0; i < kMaxInputPerWake; ++i) {
        if ((mmio_read8(uart + kUartLsr) & kLsrDataReady) == 0) return;
        const std::uint8_t byte = mmio_read8(uart + kUartRbr);
        if (byte >= 0x20 && byte < 0x7f) {
            const char text[] = {'\'', static_cast<char>(byte), '\''};
            Out() << "rtos-demo: input " << std::string_view(text, 3) << "\n";
        } else {
            Out() << "rtos-demo: input " << hex(byte) << "\n";
        }
    }
}

std::int64_t kick_watchdog() {
    return guest::sbi::call(guest::sbi::kTessera, guest::sbi::kWatchdogKick).error;
}

[[noreturn]] void fail(std::string_view why) {
    Out() << "rtos-demo: " << why << "\n";
    guest::sbi::shutdown(false);
}

// Reads the options; nullopt (after saying which) if one is malformed.
std::optional<Options> read_options(std::string_view bootargs) {
    const guest::Bootargs args(bootargs);
    Options options;
    bool ok = true;
    auto number = [&](std::string_view key, std::uint64_t fallback) {
        const auto value = args.number(key, fallback);
        if (!value || *value == 0) {
            Out() << "rtos-demo: bad option " << key << " (a number from 1 is needed)\n";
            ok = false;
            return fallback;
        }
        return *value;
    };
    auto optional = [&](std::string_view key) -> std::optional<std::uint64_t> {
        if (!args.has(key)) return std::nullopt;
        return number(key, 1);
    };
    options.period_us = number("period-us", options.period_us);
    options.report = number("report", options.report);
    options.reports = optional("reports");
    options.stall_after = optional("stall-after");
    options.reboot_after = optional("reboot-after");
    if (!ok) return std::nullopt;
    return options;
}

}  // namespace

extern "C" void guest_trap(std::uint64_t entry_time) {
    const std::uint64_t scause = csr_read<csr::scause>();
    if (scause == (kInterrupt | kTimerInterrupt)) {
        on_timer(entry_time);
        return;
    }
    Out() << "rtos-demo: unexpected trap: scause " << hex(scause) << " sepc "
          << hex(csr_read<csr::sepc>()) << " stval " << hex(csr_read<csr::stval>()) << "\n";
    guest::sbi::shutdown(false);
}

extern "C" [[noreturn]] void guest_main(std::uint64_t, const void* dtb) {
    csr_write<csr::stvec>(reinterpret_cast<std::uintptr_t>(&guest_trap_entry));
    const guest::GuestDt dt = guest::read_guest_dt(dtb);
    if (!dt.valid) fail("no usable DTB");
    if (dt.timebase == 0) fail("no /cpus/timebase-frequency in the DTB");
    const std::optional<Options> parsed = read_options(dt.bootargs);
    if (!parsed) guest::sbi::shutdown(false);
    const Options& options = *parsed;
    g_timebase = dt.timebase;
    g_timer.sstc = dt.sstc;
    g_timer.period = options.period_us * dt.timebase / 1000000;
    g_timer.report = options.report;
    if (g_timer.period == 0) fail("the period is shorter than one timebase tick");

    Out() << "rtos-demo: period " << options.period_us << " us, report every " << options.report
          << " periods, timer " << (dt.sstc ? "sstc" : "sbi") << "\n";
    const std::int64_t kick = kick_watchdog();
    const bool watchdog = kick == guest::sbi::kSuccess;
    if (watchdog || kick == guest::sbi::kNotSupported) {
        Out() << "rtos-demo: watchdog " << (watchdog ? "on" : "off") << "\n";
    } else {
        Out() << "rtos-demo: watchdog off (the kick returned " << guest::sbi_error(kick) << ")\n";
    }

    // The first deadline one period from now; then only the handler programs it.
    g_timer.number = 1;
    g_timer.window.first = 1;
    g_timer.deadline = now() + g_timer.period;
    program_timer(g_timer.deadline);
    csr_set<csr::sie>(kSieStie);
    csr_set<csr::sstatus>(kSstatusSie);

    std::uint64_t periods_seen = 0;
    std::uint64_t heartbeat = 0;
    std::uint64_t lost_reported = 0;
    for (;;) {
        asm volatile("wfi");
        const std::uint64_t periods = g_periods_done;
        if (periods != periods_seen) {
            periods_seen = periods;
            if (watchdog) kick_watchdog();
        }
        Window window;
        if (take_report(window)) {
            print_window(window);
            Out() << "rtos-demo: heartbeat " << ++heartbeat << "\n";
            if (const std::uint64_t lost = g_windows_lost; lost != lost_reported) {
                Out() << "rtos-demo: " << lost - lost_reported
                      << " report(s) not printed: the task fell behind\n";
                lost_reported = lost;
            }
            if (options.stall_after && heartbeat >= *options.stall_after) {
                Out() << "rtos-demo: stalling (interrupts off, no more watchdog kicks)\n";
                csr_clear<csr::sstatus>(kSstatusSie);
                for (;;) asm volatile("");
            }
            if (options.reboot_after && heartbeat >= *options.reboot_after) {
                csr_clear<csr::sstatus>(kSstatusSie);
                Out() << "rtos-demo: rebooting\n";
                const std::int64_t error = guest::sbi::warm_reboot();
                Out() << "rtos-demo: SRST warm reboot returned " << guest::sbi_error(error) << "\n";
                guest::sbi::shutdown(false);
            }
            if (options.reports && heartbeat >= *options.reports) {
                csr_clear<csr::sstatus>(kSstatusSie);
                Out() << "rtos-demo: done\n";
                guest::sbi::shutdown(true);
            }
        }
        if (dt.uart_base != 0) poll_input(dt.uart_base);
    }
}
