// Phase d, HSM: hart 0 (harts 1 and 2 stopped) runs `hsm` rounds of
//  1. start: hart_start of harts 1 and 2 (opaque = what to do and the round);
//     each checks the opaque it got, does a little work, tells hart 0 by IPI
//     and stops itself with hart_stop; hart 0 waits in WFI for both IPIs,
//     then polls hart_get_status until both are STOPPED (bounded: 30 s);
//  2. suspend: hart_start them again to suspend, retentive or
//     non-retentive (resuming at the entry), at random; hart 0 polls until
//     it reads SUSPENDED (or, one round in four, only until the hart says it
//     is about to suspend: the IPI may then come before the suspend), wakes
//     each with an IPI, and waits in WFI for its IPI saying it resumed and
//     took the wake-up; then for both to be STOPPED again.
// The secondaries decide to suspend with SIE off, so the wake-up's IPI that
// comes in between stays pending and ends the suspend at once; a hart that
// resumes without it (a spurious resume, which SBI allows as WFI allows a
// spurious return) suspends again; the calls are counted. A lost IPI leaves a
// suspended hart suspended and hart 0 waiting.
#include "console.hpp"
#include "harts.hpp"
#include "phases.hpp"
#include "sbi_calls.hpp"

namespace smpstress {

namespace {

namespace status = sbi_calls::hsm_state;

constexpr std::uint64_t kPollSeconds = 30;

volatile std::uint64_t g_expected_opaque[kHarts];  // what hart 0 started each hart with
volatile std::uint64_t g_work[kHarts];             // each hart's work of its last round
volatile std::uint64_t g_suspend_calls[kHarts];    // hart_suspend calls by each hart

struct HsmCounts {
    std::uint64_t retentive_rounds, non_retentive_rounds, early_wakes;
};
HsmCounts g_hsm;

constexpr std::string_view kDoneOf[kHarts] = {"", "hart 1's step", "hart 2's step"};

std::uint64_t work(unsigned hart, std::uint64_t round) {
    std::uint64_t value = round * 0x9e3779b97f4a7c15ULL + hart;
    for (unsigned step = 0; step < 256; ++step) value = (value ^ (value >> 29)) * 0xbf58476d1ce4e5b9ULL + step;
    return value;
}

std::string_view status_name(std::uint64_t state) {
    switch (state) {
        case status::kStarted: return "STARTED";
        case status::kStopped: return "STOPPED";
        case status::kStartPending: return "START_PENDING";
        case status::kStopPending: return "STOP_PENDING";
        case status::kSuspended: return "SUSPENDED";
        default: return "another state";
    }
}

// Polls hart_get_status until `hart` is in `wanted`; fails after kPollSeconds.
void poll_status(unsigned hart, std::uint64_t wanted) {
    const std::uint64_t until = now() + kPollSeconds * g_machine.timebase;
    std::uint64_t state = 0;
    for (;;) {
        const guest::sbi::Ret ret = sbi_calls::hart_status(hart);
        if (ret.error != guest::sbi::kSuccess) fail("hsm: hart_get_status failed for hart", hart);
        state = ret.value;
        if (state == wanted) return;
        if (now() > until) break;
    }
    guest::Out() << "smpstress: FAIL hsm: hart " << hart << " is " << status_name(state)
                 << " after " << kPollSeconds << " s of polling for " << status_name(wanted) << "\n";
    guest::sbi::shutdown(false);
}

// Polls memory until `hart` says it is about to suspend in `round`.
void poll_suspending(unsigned hart, std::uint64_t round) {
    const std::uint64_t until = now() + kPollSeconds * g_machine.timebase;
    while (g_harts[hart].suspending < round) {
        if (now() > until) fail("hsm: a hart never got to its suspend, hart", hart);
    }
}

}  // namespace

void start_secondary(unsigned hart, Start kind, std::uint64_t round) {
    const std::uint64_t opaque = start_opaque(kind, round);
    g_expected_opaque[hart] = opaque;
    asm volatile("fence rw, rw" ::: "memory");
    const std::int64_t error = sbi_calls::hart_start(hart, opaque);
    if (error != guest::sbi::kSuccess) {
        guest::Out() << "smpstress: FAIL hsm: hart_start(" << hart << ") returned "
                     << guest::sbi_error(error) << "\n";
        guest::sbi::shutdown(false);
    }
}

bool started_as(unsigned hart, Start kind, std::uint64_t round) {
    const Start started = kind == Start::Resumed ? Start::SuspendNonRetentive : kind;
    return g_expected_opaque[hart] == start_opaque(started, round);
}

void wait_stopped(unsigned hart) { poll_status(hart, status::kStopped); }

[[noreturn]] void stop_self() {
    const std::int64_t error = sbi_calls::hart_stop();
    guest::Out() << "smpstress: FAIL hart " << this_hart() << ": hart_stop returned "
                 << guest::sbi_error(error) << "\n";
    guest::sbi::shutdown(false);
}

namespace {

void finished(unsigned hart, std::uint64_t step) {
    notify(0, static_cast<Slot>(kSlotHsmDone + hart), step);
}

}  // namespace

void run_hsm() {
    Hart& hart = me();
    hart.phase = "hsm";
    const std::uint64_t rounds = g_machine.options.hsm;
    for (std::uint64_t round = 1; round <= rounds; ++round) {
        for (unsigned other = 1; other < kHarts; ++other) start_secondary(other, Start::Work, round);
        for (unsigned other = 1; other < kHarts; ++other)
            wait_slot(kDoneOf[other], static_cast<Slot>(kSlotHsmDone + other), 2 * round - 1);
        for (unsigned other = 1; other < kHarts; ++other) {
            wait_stopped(other);
            if (g_work[other] != work(other, round)) fail("hsm: wrong work result from hart", other);
        }

        const std::uint64_t random = hart.rng.next();
        const bool retentive = random % 2 == 0;
        const bool early = (random >> 1) % 4 == 0;
        (retentive ? g_hsm.retentive_rounds : g_hsm.non_retentive_rounds) += 1;
        if (early) g_hsm.early_wakes += 1;
        const Start kind = retentive ? Start::SuspendRetentive : Start::SuspendNonRetentive;
        for (unsigned other = 1; other < kHarts; ++other) start_secondary(other, kind, round);
        for (unsigned other = 1; other < kHarts; ++other) {
            if (early) {
                poll_suspending(other, round);
            } else {
                poll_status(other, status::kSuspended);
            }
            notify(other, kSlotWake, round);
        }
        for (unsigned other = 1; other < kHarts; ++other)
            wait_slot(kDoneOf[other], static_cast<Slot>(kSlotHsmDone + other), 2 * round);
        for (unsigned other = 1; other < kHarts; ++other) wait_stopped(other);
    }
    guest::Out() << "smpstress: hsm: " << rounds << " rounds of 4 hart_starts, suspends "
                 << g_hsm.retentive_rounds << " rounds retentive, " << g_hsm.non_retentive_rounds
                 << " non-retentive, " << g_hsm.early_wakes << " woken early\n";
    guest::Out() << "smpstress: hsm: hart_suspend calls " << g_suspend_calls[1] << " (hart 1) "
                 << g_suspend_calls[2] << " (hart 2), one a round but after a spurious resume\n";
    guest::Out() << "smpstress: PASS hsm rounds=" << rounds << "\n";
}

[[noreturn]] void hsm_secondary(unsigned hart, Start kind, std::uint64_t round) {
    Hart& self = me();
    self.phase = "hsm";
    switch (kind) {
        case Start::Work:
            g_work[hart] = work(hart, round);
            finished(hart, 2 * round - 1);
            stop_self();
        case Start::SuspendRetentive:
            // SIE off from the check to the suspend: the wake-up's IPI stays
            // pending and ends the suspend at once. A resume without it (a
            // suspend may end for another reason) suspends again.
            interrupts_off();
            self.suspending = round;
            while (self.seen[kSlotWake] < round) {
                g_suspend_calls[hart] = g_suspend_calls[hart] + 1;
                const std::int64_t error = sbi_calls::suspend_retentive();
                if (error != guest::sbi::kSuccess) fail("hsm: retentive suspend failed, round", round);
                interrupts_on();  // takes the IPI that woke it
                interrupts_off();
            }
            interrupts_on();
            finished(hart, 2 * round);
            stop_self();
        case Start::SuspendNonRetentive:
        case Start::Resumed:
            // The same for a non-retentive suspend, which resumes at the
            // entry (as Resumed, which took a pending wake-up when it turned
            // SIE on) and comes back here.
            interrupts_off();
            self.suspending = round;
            if (self.seen[kSlotWake] < round) {
                g_suspend_calls[hart] = g_suspend_calls[hart] + 1;
                sbi_calls::suspend_non_retentive(start_opaque(Start::Resumed, round));
                fail("hsm: non-retentive suspend returned, round", round);
            }
            interrupts_on();
            finished(hart, 2 * round);
            stop_self();
        default: fail("hsm: started for something else, round", round);
    }
}

}  // namespace smpstress
