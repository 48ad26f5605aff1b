// Runs one fuzz operation (an instruction word, or the SBI stub) in VS- or
// VU-mode and puts the guest's own state back afterwards.
//
// Around every operation: a timer armed a few milliseconds ahead with its
// interrupt enabled (sie.STIE; sstatus.SIE on for VS-mode words), so that a
// word that waits (WFI) or jumps to itself is interrupted instead of hanging
// the guest; afterwards the timer is disarmed and sstatus, sie, sip.SSIP,
// stvec, sscratch, satp, scounteren and senvcfg get back the values the
// fuzzer runs with (sstatus: SUM, FP on), whatever the word wrote to them.
// The timer is stimecmp
// when the cpu has Sstc, else SBI set_timer (two more hypervisor exits per
// operation, through its stand-in timer).
#pragma once

#include <cstdint>

#include "layout.hpp"
#include "words.hpp"

extern "C" {
// What trap.S records (offsets used there).
struct TrapfuzzTrap {
    volatile std::uint64_t active;  // an operation is running
    volatile std::uint64_t taken;   // the vector caught a trap
    volatile std::uint64_t scause, stval, sepc, sstatus;
    volatile std::uint64_t t1_save;
};
extern TrapfuzzTrap trapfuzz_trap;
extern volatile std::uint64_t trapfuzz_after[32];  // registers after the SBI stub's ecall
struct TrapfuzzResume {
    volatile std::uint64_t resumed, a0, a1;
};
extern TrapfuzzResume trapfuzz_resume;
void trapfuzz_trap_entry();
void trapfuzz_sbi_stub();
void trapfuzz_resume_entry();
}

namespace trapfuzz {

inline constexpr std::uint64_t kInterrupt = 1ULL << 63;
inline constexpr std::uint64_t kSsie = 1ULL << 1, kStie = 1ULL << 5, kSeie = 1ULL << 9;

struct Outcome {
    bool trapped = false;
    std::uint64_t scause = 0, stval = 0, sepc = 0, sstatus = 0;
};

class Runner {
public:
    explicit Runner(const Layout& layout);

    // Translation for the mode: none in VS-mode, the Sv39 tables (arena and
    // devices user-accessible) in VU-mode.
    void switch_to(Mode mode);
    Mode mode() const { return mode_; }

    // Places `word` in the arena and runs it with `regs` in the current mode,
    // with the timer's and `interrupts` (sie bits: SSIE, SEIE) enabled. A
    // VU-mode word that got to the ecall behind it did not trap.
    Outcome run_word(Word word, const std::uint64_t regs[32], std::uint64_t interrupts);
    // Runs the SBI stub (ecall) in VS-mode with `regs`, interrupts off.
    Outcome run_sbi_stub(const std::uint64_t regs[32]);

    std::uint64_t ticks_ahead() const { return ticks_ahead_; }

private:
    Outcome run(std::uint64_t entry, const std::uint64_t regs[32], std::uint64_t previous,
                std::uint64_t interrupts);
    void restore_state();
    void set_timer(std::uint64_t when) const;

    const Layout& layout_;
    Mode mode_ = Mode::VS;
    std::uint64_t ticks_ahead_;
    std::uint64_t satp_ = 0;  // what the current mode runs with
    std::uint64_t sv39_satp_ = 0;
    std::uint64_t sstatus_ = 0, stvec_ = 0, scounteren_ = 0, senvcfg_ = 0;
};

}  // namespace trapfuzz
