// The hostile partition's two virtual harts: vhart 0 runs the attacks,
// vhart 1 (the accomplice) takes orders from it through a mailbox, for the
// attacks that need a second hart of the partition (IPIs to it, HSM
// states, suspend). Per-hart state is indexed by tp (= the virtual hart id),
// which each hart's entry sets.
#pragma once

#include <cstdint>

#include "devices.hpp"
#include "fault_catcher.hpp"

namespace hostile {

inline constexpr unsigned kHarts = 2;

// What the external interrupt handler does with a claimed source.
enum class ExternalMode : std::uint32_t {
    Serve,          // clear the RTC's interrupt, complete
    AlarmStorm,     // clear it, set the next alarm in the past (it fires at once), complete;
                    // after `storm_left` interrupts, switch the RTC's interrupt off
    NeverComplete,  // leave the claim open: the source stays in service
};

struct HartState {
    guest::FaultCatcher catcher;
    volatile std::uint64_t software_interrupts = 0;
    volatile std::uint64_t timer_interrupts = 0;
    volatile std::uint64_t external_interrupts = 0;
    // Timer storm: this many more deadlines in the past from the handler,
    // through SBI set_timer or stimecmp.
    volatile std::uint64_t timer_rearms = 0;
    volatile bool timer_via_sbi = false;
    volatile ExternalMode external_mode = ExternalMode::Serve;
    volatile std::uint64_t storm_left = 0;
    volatile std::uint32_t last_claim = 0;
};

extern HartState g_harts[kHarts];

// The last exception no attempt expected, and how many there were.
struct Unexpected {
    volatile std::uint32_t count = 0;
    std::uint32_t hart = 0;
    std::uint64_t scause = 0, sepc = 0, stval = 0;
};
extern Unexpected g_unexpected;

inline std::uint64_t this_hart() {
    std::uint64_t hart;
    asm volatile("mv %0, tp" : "=r"(hart));
    return hart;
}
inline HartState& my_hart() { return g_harts[this_hart() % kHarts]; }

// The devices the interrupt handler serves (set once by guest_main).
extern OwnDevices g_devices;

// ---- the accomplice (vhart 1) ------------------------------------------------

enum class Order : std::uint32_t {
    None,
    Report,              // result = what it was started with (a0 | a1 << 8)
    SuspendRetentive,    // HSM retentive suspend with SSIE on, SIE off; result = its error
    SuspendNonRetentive, // HSM non-retentive suspend, resume at the accomplice entry
    SuspendBadType,      // HSM suspend with the type in `argument`; result = its error
    StartHart0,          // HSM hart_start(0): vhart 0 is running; result = its error
    Stop,                // HSM hart_stop (with junk arguments): does not come back
};

// vhart 0 posts an order and waits until the accomplice has done it.
struct Mailbox {
    volatile Order order = Order::None;
    volatile std::uint64_t argument = 0;
    volatile std::uint64_t result = 0;
    volatile std::uint32_t posted = 0;  // sequence number of the last order
    volatile std::uint32_t done = 0;    // of the last order carried out
    volatile std::uint32_t busy = 0;    // the accomplice is about to carry it out
    // Set by the accomplice's entry: a0 and a1 it (re)started with, and how often.
    volatile std::uint64_t entry_a0 = 0, entry_a1 = 0;
    volatile std::uint32_t entries = 0;
};
extern Mailbox g_mailbox;

// The opaque values HSM start and non-retentive resume hand over in a1.
inline constexpr std::uint64_t kStartOpaque = 0x57a27ed0'11a2e5e5;
inline constexpr std::uint64_t kResumeOpaque = 0x2e50e0ed'0ba0ba0b;

// The accomplice's entry (accomplice.S): a0 = hart id, a1 = opaque.
extern "C" void hostile_accomplice_entry();

// Posts `order`, wakes the accomplice with an IPI and waits (at most
// `ticks`) until it took the order (`busy`: the IPI has been taken by then);
// with wait_done, until it has carried it out. False on timeout.
bool post_order(Order order, std::uint64_t argument, std::uint64_t ticks, bool wait_done);

std::uint64_t now();
// Waits until cond() or `ticks` passed; cond()'s last value.
template <class Cond>
bool wait_until(Cond cond, std::uint64_t ticks) {
    const std::uint64_t until = now() + ticks;
    while (!cond()) {
        if (now() >= until) return cond();
    }
    return true;
}

}  // namespace hostile
