// Hart state management misused (SBI v2.0 HSM): harts the partition doesn't
// have, starting harts that run, entry and resume addresses outside its
// RAM, reserved and unimplemented suspend types, stopping with junk
// arguments, and what the accomplice (vhart 1) looks like to vhart 0 while
// it is stopped or suspended.
#include "attacks.hpp"
#include "attempt.hpp"
#include "harts.hpp"

namespace hostile {
namespace {

using tessera::hex;
using tessera::Line;
namespace sbi = guest::sbi;

constexpr std::uint64_t kStarted = 0, kStopped = 1, kSuspended = 4;
constexpr std::uint64_t kHartStart = 0, kHartStatus = 2, kHartSuspend = 3;

std::uint64_t accomplice_entry() {
    return reinterpret_cast<std::uintptr_t>(&hostile_accomplice_entry);
}

sbi::Ret status(std::uint64_t hart) { return sbi::call(sbi::kHsm, kHartStatus, hart); }

// Waits (at most 1 s) until hart_get_status(1) answers `state`.
bool accomplice_reaches(const Targets& t, std::uint64_t state) {
    return wait_until([&] { return status(1).value == state; }, t.timebase);
}

void send_ipi_to_accomplice() { sbi::call(sbi::kIpi, 0, 0x2, 0); }

void foreign_harts(const Targets& t) {
    for (const std::uint64_t hart : {2ULL, 3ULL, 1ULL << 32 | 1, ~0ULL}) {
        {
            Line title;
            title << "hart_get_status(" << hex(hart) << ")";
            Attempt attempt(title.view(), "INVALID_PARAM");
            attempt.expect_sbi(status(hart), sbi::kInvalidParam);
        }
        {
            Line title;
            title << "hart_start(" << hex(hart) << ") (a hart of another partition)";
            Attempt attempt(title.view(), "INVALID_PARAM");
            attempt.expect_sbi(sbi::call(sbi::kHsm, kHartStart, hart, t.own_ram.base, 0),
                               sbi::kInvalidParam);
        }
    }
    {
        Attempt attempt("hart_start(0): itself, running", "ALREADY_AVAILABLE");
        attempt.expect_sbi(sbi::call(sbi::kHsm, kHartStart, 0, accomplice_entry(), 0),
                           sbi::kAlreadyAvailable);
    }
}

void bad_entry_addresses(const Targets& t) {
    struct Entry {
        std::uint64_t address;
        std::string_view what;
    };
    const Entry entries[] = {
        {t.hypervisor.base, "the hypervisor"},
        {t.other_code, "other partition's code"},
        {t.firmware.base, "the SBI firmware"},
        {t.own_ram.end() - 1, "its RAM's last byte"},
        {t.devices.rtc, "its passthrough RTC"},
        {t.devices.plic, "its emulated PLIC"},
        {~0ULL - 1, "2^64-2"},
    };
    for (const Entry& entry : entries) {
        Line title;
        title << "hart_start(1) at " << hex(entry.address) << " (" << entry.what << ")";
        Attempt attempt(title.view(), "INVALID_ADDRESS, stays stopped");
        attempt.expect_sbi(sbi::call(sbi::kHsm, kHartStart, 1, entry.address, 0),
                           sbi::kInvalidAddress);
        attempt.expect_eq("then its status", status(1).value, kStopped);
    }
}

void bad_suspend_types(const Targets& t) {
    // Reserved, and platform-specific ones Tessera doesn't implement.
    for (const std::uint64_t type : {0x1ULL, 0x0FFFFFFFULL, 0x10000000ULL, 0x7FFFFFFFULL,
                                     0x80000001ULL, 0x8FFFFFFFULL, 0x90000000ULL, 0xFFFFFFFFULL}) {
        Line title;
        title << "hart_suspend type " << hex(type);
        Attempt attempt(title.view(), "INVALID_PARAM");
        attempt.expect_sbi(sbi::call(sbi::kHsm, kHartSuspend, type, t.own_ram.base, 0),
                           sbi::kInvalidParam);
    }
    {
        Attempt attempt("non-retentive suspend, resume in the hypervisor", "INVALID_ADDRESS");
        attempt.expect_sbi(sbi::call(sbi::kHsm, kHartSuspend, 0x80000000, t.hypervisor.base, 0),
                           sbi::kInvalidAddress);
    }
}

void start_accomplice(const Targets& t, std::string_view title) {
    Attempt attempt(title, "SUCCESS, a0 = 1, a1 = opaque");
    const std::uint32_t entries = g_mailbox.entries;
    if (!attempt.expect_sbi(sbi::call(sbi::kHsm, kHartStart, 1, accomplice_entry(), kStartOpaque),
                            sbi::kSuccess))
        return;
    if (!attempt.expect(wait_until([&] { return g_mailbox.entries != entries; }, t.timebase),
                        "it did not start within 1 s"))
        return;
    attempt.expect_eq("a0", g_mailbox.entry_a0, 1);
    attempt.expect_eq("a1", g_mailbox.entry_a1, kStartOpaque);
}

void while_it_runs(const Targets& t) {
    {
        Attempt attempt("hart_start(1) while it runs", "ALREADY_AVAILABLE");
        attempt.expect_sbi(sbi::call(sbi::kHsm, kHartStart, 1, accomplice_entry(), 0),
                           sbi::kAlreadyAvailable);
    }
    {
        Attempt attempt("vhart 1 does hart_start(0) while 0 runs", "ALREADY_AVAILABLE");
        if (attempt.expect(post_order(Order::StartHart0, 0, t.timebase, true), "no answer in 1 s"))
            attempt.expect_eq("error", g_mailbox.result,
                              static_cast<std::uint64_t>(sbi::kAlreadyAvailable));
    }
}

void suspend_retentive(const Targets& t) {
    Attempt attempt("vhart 1 in retentive suspend", "SUSPENDED; an IPI resumes it");
    if (!attempt.expect(post_order(Order::SuspendRetentive, 0, t.timebase, false),
                        "it did not take the order"))
        return;
    const std::uint64_t ipis = g_harts[1].software_interrupts;  // the order's IPI taken
    const bool suspended = accomplice_reaches(t, kSuspended);
    if (!suspended)
        attempt.escape() << "hart_get_status(1) says " << tessera::dec(status(1).value);
    send_ipi_to_accomplice();
    if (!attempt.expect(wait_until([&] { return g_mailbox.done == g_mailbox.posted; }, t.timebase),
                        "it did not resume within 1 s"))
        return;
    attempt.expect_eq("suspend's error", g_mailbox.result, 0);
    attempt.expect(wait_until([&] { return g_harts[1].software_interrupts != ipis; }, t.timebase),
                   "it did not take the IPI");
    attempt.expect_eq("status after", status(1).value, kStarted);
}

void suspend_non_retentive(const Targets& t) {
    Attempt attempt("vhart 1 in non-retentive suspend", "SUSPENDED; resumes with a1");
    const std::uint32_t entries = g_mailbox.entries;
    if (!attempt.expect(post_order(Order::SuspendNonRetentive, 0, t.timebase, true),
                        "it did not take the order"))
        return;
    if (!accomplice_reaches(t, kSuspended))
        attempt.escape() << "hart_get_status(1) says " << tessera::dec(status(1).value);
    send_ipi_to_accomplice();
    if (!attempt.expect(wait_until([&] { return g_mailbox.entries != entries; }, t.timebase),
                        "it did not resume at its entry within 1 s"))
        return;
    attempt.expect_eq("a0", g_mailbox.entry_a0, 1);
    attempt.expect_eq("a1", g_mailbox.entry_a1, kResumeOpaque);
    attempt.expect_eq("status after", status(1).value, kStarted);
}

void stop_accomplice(const Targets& t) {
    Attempt attempt("vhart 1 does hart_stop(0, 0)", "it alone stops");
    if (!attempt.expect(post_order(Order::Stop, 0, t.timebase, true), "it did not take the order"))
        return;
    attempt.expect(accomplice_reaches(t, kStopped), "hart_get_status(1) never says STOPPED");
    attempt.expect_eq("status of vhart 0", status(0).value, kStarted);
}

void at_the_stopped_accomplice() {
    {
        Attempt attempt("1000 send_ipi to stopped vhart 1", "SUCCESS each, stays stopped");
        std::uint32_t failures = 0;
        for (int i = 0; i < 1000; ++i)
            if (sbi::call(sbi::kIpi, 0, 0x2, 0).error != sbi::kSuccess) ++failures;
        attempt.expect_eq("failed calls", failures, 0);
        attempt.expect_eq("status", status(1).value, kStopped);
    }
    {
        Attempt attempt("100 remote_fence_i to stopped vhart 1", "SUCCESS each, stays stopped");
        std::uint32_t failures = 0;
        for (int i = 0; i < 100; ++i)
            if (sbi::call(sbi::kRfence, 0, 0x3, 0).error != sbi::kSuccess) ++failures;
        attempt.expect_eq("failed calls", failures, 0);
        attempt.expect_eq("status", status(1).value, kStopped);
    }
}

}  // namespace

void attack_hsm(const Targets& t) {
    foreign_harts(t);
    bad_suspend_types(t);
    bad_entry_addresses(t);
    start_accomplice(t, "hart_start(1) at its entry");
    while_it_runs(t);
    suspend_retentive(t);
    suspend_non_retentive(t);
    stop_accomplice(t);
    at_the_stopped_accomplice();
    bad_entry_addresses(t);  // again, now that it has run and stopped
    start_accomplice(t, "hart_start(1) again after its stop");
}

}  // namespace hostile
