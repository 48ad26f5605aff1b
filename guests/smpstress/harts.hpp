// The stress guest's three virtual harts and how they wake each other.
//
// Every hart has mailbox slots. Another hart posts a value to a slot (the
// values of a slot only grow) and sends an SBI IPI; the hart's
// software-interrupt handler copies every slot to `seen`. A hart that waits
// for a slot to reach a value waits in WFI for the interrupt that brings it:
// nothing but the handler moves `seen`, so a lost IPI leaves it waiting
// forever instead of being papered over by a later look at memory, and
// coalesced IPIs are harmless (one interrupt copies every slot).
//
// Per-hart state is indexed by tp (= the virtual hart id), which each
// hart's entry sets.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "prng.hpp"

namespace smpstress {

inline constexpr unsigned kHarts = 3;
inline constexpr std::uint64_t kAllHarts = (1U << kHarts) - 1;

enum Slot : unsigned {
    kSlotRing,                           // ring: the last pass that gave this hart the token
    kSlotBarrier,                        // the number of the last barrier released
    kSlotMessage,                        // storm: + sender, its last message to this hart
    kSlotAck = kSlotMessage + kHarts,    // storm: + receiver, the last of ours it took
    kSlotWake = kSlotAck + kHarts,       // hsm: hart 0 lets this hart's suspend of round k end
    kSlotHsmDone,                        // hsm (hart 0): + hart, that hart's last step done
    kSlotPlicGo = kSlotHsmDone + kHarts, // plic (hart 1): hart 0's writes of round r are done
    kSlotPlicAck,                        // plic (harts 0, 1): hart 2 took round r's interrupt
    kSlots
};

struct alignas(64) Hart {
    std::atomic<std::uint64_t> posted[kSlots]{};  // written by the other harts
    volatile std::uint64_t seen[kSlots]{};        // written by this hart's handler only

    // Interrupts taken, by kind.
    volatile std::uint64_t software_interrupts{};
    volatile std::uint64_t timer_interrupts{};  // of the timer phase's deadlines
    volatile std::uint64_t external_interrupts{};
    std::uint64_t ipis_sent{};  // SBI send_ipi calls

    // The timer serves the timer phase's deadlines (timer_test) or watches
    // waits: it fires when a wait has lasted stall_ticks, and the wait says
    // so on the console (and goes on waiting).
    volatile bool timer_test{};
    volatile bool armed{};              // timer phase: a deadline is programmed
    volatile std::uint64_t deadline{};  // timer phase: the deadline programmed
    volatile std::uint64_t early{};     // timer phase: interrupts taken before their deadline
    volatile std::uint64_t unarmed{};   // timer phase: interrupts with no deadline programmed
    volatile bool stalled{};            // the watch fired during the current wait

    std::uint64_t barriers{};  // barriers this hart has passed
    volatile std::uint64_t suspending{};  // hsm: the round whose suspend this hart is in
    std::string_view phase{};  // named in stall reports
    guest::Prng rng{0};
};

extern Hart g_harts[kHarts];

struct Options {
    std::uint64_t seed = 1;
    std::uint64_t ring = 3000;    // laps of the token
    std::uint64_t storm = 2000;   // operations per hart
    std::uint64_t timer = 1000;   // deadlines per hart
    std::uint64_t hsm = 200;      // rounds of start/stop and suspend/resume
    std::uint64_t plic = 2000;    // rounds of the UART's interrupt
    std::uint64_t stall_ms = 5000;  // a wait this long is reported (not failed)
};

// Set once by hart 0 before it starts the others.
struct Machine {
    Options options;
    std::uint64_t timebase = 0;   // Hz
    std::uint64_t plic = 0;       // the emulated PLIC's base
    std::uint64_t uart = 0;       // the emulated 16550's base
    std::uint32_t uart_irq = 0;   // its interrupt (the PLIC source)
};
extern Machine g_machine;

inline unsigned this_hart() {
    std::uint64_t hart;
    asm volatile("mv %0, tp" : "=r"(hart));
    return static_cast<unsigned>(hart);
}
inline Hart& me() { return g_harts[this_hart()]; }

std::uint64_t now();

// sstatus.SIE of the calling hart.
inline constexpr std::uint64_t kSstatusSie = 1ULL << 1;
void interrupts_off();
void interrupts_on();

// Sets up the calling hart: tp, its trap vector and interrupt enables
// (software and timer; SIE on), its random stream.
void hart_init(unsigned hart);

// Posts `value` to `target`'s `slot` (no IPI).
void post(unsigned target, Slot slot, std::uint64_t value);
// SBI send_ipi to the harts in `mask` (hart_mask_base 0); fails the run on an error.
void send_ipi(std::uint64_t mask);
// The same with the mask counted from `base`.
void send_ipi_encoded(std::uint64_t mask, std::uint64_t base);
// The same to one hart, with a random one of the equivalent hart mask encodings.
void send_ipi_to(unsigned target);
// post() and send_ipi_to().
void notify(unsigned target, Slot slot, std::uint64_t value);

// Waits in WFI until `value` (which only this hart's interrupt handlers
// change) is at least `expected`. `watch`: the timer reports a wait that
// lasts stall_ms (off while the timer phase uses the timer).
void wait_for(std::string_view what, const volatile std::uint64_t& value, std::uint64_t expected,
              bool watch = true);
// Waits until this hart's `slot` has seen `expected`.
void wait_slot(std::string_view what, Slot slot, std::uint64_t expected);

// Copies the posted slots to `seen`, as the software-interrupt handler
// does (with interrupts off: for a final look after a phase).
void take_mailbox();

// Every hart arrives, then all go on; released by IPIs.
void barrier();

// Prints the line, then shuts the partition down with a failure (SRST).
[[noreturn]] void fail(std::string_view why, std::uint64_t value = ~0ULL);

// Hooks of the phases for the interrupt handler.
void storm_received(unsigned sender, std::uint64_t previous, std::uint64_t latest);
void plic_external_interrupt();
// Extra lines for a stalled wait of the current phase.
void plic_describe_stall();

}  // namespace smpstress
