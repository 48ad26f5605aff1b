// The conformance guest's own trap handling: its stvec (trap.S) saves every
// register and calls conformance_trap(), which
//  - for an interrupt: records it in the hart's state, masks it in sie (each
//    wait re-enables what it waits for) and, for an external interrupt, runs
//    the handler a check installed;
//  - for an exception a check expects (catch_trap): records scause, stval
//    and sepc and steps over the faulting instruction (2 or 4 bytes, from
//    its low bits); a failed instruction fetch resumes at ra instead, as if
//    the called address had returned;
//  - for an exception from the user program (run_user): logs it and steps
//    over it, or, for its ecall, returns to supervisor mode;
//  - for any other exception: counts it as unexpected (the running check
//    fails with its details) and steps over it.
// No heap, no exceptions; per-hart state is indexed by tp (= hart id).
#pragma once

#include <cstdint>

#include "platform.hpp"

namespace conformance {

struct TrapFrame {
    std::uint64_t x[32];
    std::uint64_t sepc, scause, stval, sstatus;
};
static_assert(sizeof(TrapFrame) == 36 * 8, "trap.S FRAME_SIZE");

// One exception as the guest's handler saw it.
struct Trap {
    bool taken = false;
    bool from_user = false;
    std::uint64_t scause = 0, stval = 0, sepc = 0;
};

inline constexpr unsigned kMaxHarts = 8;

struct HartTraps {
    volatile bool armed = false;
    Trap caught;
    volatile std::uint64_t irq_seen = 0;  // bit n: interrupt n was taken
    volatile std::uint64_t last_irq = 0;  // its scause
    volatile std::uint32_t irq_count = 0;
    void (*volatile on_external)() = nullptr;  // runs on a supervisor external interrupt
};

extern HartTraps g_traps[kMaxHarts];

// Unexpected exceptions, any hart: how many, and the last one.
extern volatile std::uint32_t g_unexpected_count;
extern Trap g_last_unexpected;

// Installs the trap vector on the calling hart (and tp = hart).
void install_trap_vector(std::uint64_t hart);

inline std::uint64_t this_hart() {
    std::uint64_t hart;
    asm volatile("mv %0, tp" : "=r"(hart));
    return hart;
}
inline HartTraps& my_traps() { return g_traps[this_hart() % kMaxHarts]; }

inline void compiler_barrier() { asm volatile("" ::: "memory"); }

// Runs fn() and returns the first exception it raised (taken == false if none).
template <class Fn>
Trap catch_trap(Fn fn) {
    HartTraps& traps = my_traps();
    traps.caught = Trap{};
    compiler_barrier();
    traps.armed = true;
    compiler_barrier();
    fn();
    compiler_barrier();
    traps.armed = false;
    compiler_barrier();
    return traps.caught;
}

// Enables interrupt `code` in sie and sstatus.SIE until it is taken or
// `ticks` have passed; true if it was taken. sstatus.SIE is 0 again after.
bool wait_for_interrupt(unsigned code, std::uint64_t ticks);

// Whether interrupt `code` is pending on this hart: sip shows it, or
// enabling it (sstatus.SIE and its sie bit) takes it within `ticks`. The
// second way is needed on QEMU 7.2, whose VS-mode sip reads only SSIP
// (STIP and SEIP read 0 there even while they are pending and taken).
bool interrupt_pending(unsigned code, std::uint64_t ticks);

// Forgets interrupt `code` having been taken on this hart.
inline void forget_interrupt(unsigned code) {
    HartTraps& traps = my_traps();
    traps.irq_seen = traps.irq_seen & ~bit(code);
}

// ---- user mode ---------------------------------------------------------------

inline constexpr unsigned kMaxUserTraps = 4;

struct UserRun {
    Trap traps[kMaxUserTraps];
    unsigned count = 0;
    bool returned = false;  // the program's ecall came back
};

// Runs the user program at `entry` (a user virtual address) with a0, a1 and
// sp = user_sp, until its ecall; logs every exception it raised.
UserRun run_user(std::uint64_t entry, std::uint64_t a0, std::uint64_t a1, std::uint64_t user_sp);

}  // namespace conformance
