// The stress phases. Every hart that takes part calls the phase's function;
// hart 0 prints the phase's figures and its PASS line once every hart is done.
#pragma once

#include <cstdint>

namespace smpstress {

void run_ring();   // a: a token handed round the harts by IPI
void run_storm();  // b: IPIs and remote fences from every hart to every hart
void run_timer();  // c: Sstc deadlines while the other harts send IPIs
void run_hsm();    // d: hart 0 only; harts 1 and 2 stopped
void run_plic();   // e: the emulated UART's interrupt on hart 2's PLIC context

// What hart 0 starts a secondary hart for (hart_start's opaque: the kind in
// the top byte, a round number below).
enum class Start : std::uint64_t {
    Phases = 1,           // ring, storm, timer, then hart_stop
    Work,                 // hsm: a little work, then hart_stop
    SuspendRetentive,     // hsm: retentive suspends until hart 0 wakes it, then hart_stop
    SuspendNonRetentive,  // hsm: a non-retentive suspend that resumes at the entry as Resumed
    Resumed,              // hsm: resumed from a non-retentive suspend
    Plic,                 // plic, then hart_stop
};
inline constexpr unsigned kStartShift = 56;
inline constexpr std::uint64_t kRoundMask = (1ULL << kStartShift) - 1;
inline constexpr std::uint64_t start_opaque(Start kind, std::uint64_t round) {
    return (static_cast<std::uint64_t>(kind) << kStartShift) | (round & kRoundMask);
}

// hart_start of `hart` (1 or 2) for `kind`; the opaque is kept for the
// hart to check. Fails the run on an error.
void start_secondary(unsigned hart, Start kind, std::uint64_t round);
// Whether `hart` was started with this opaque (Resumed: resumed from the
// non-retentive suspend it was started for).
bool started_as(unsigned hart, Start kind, std::uint64_t round);
// Polls hart_get_status until `hart` is STOPPED (fails after 30 s).
void wait_stopped(unsigned hart);
// hart_stop of the calling hart.
[[noreturn]] void stop_self();

// A secondary hart started (or resumed) for an hsm step; never returns.
[[noreturn]] void hsm_secondary(unsigned hart, Start kind, std::uint64_t round);

}  // namespace smpstress
