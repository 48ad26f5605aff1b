// What a seed's run counts. Failures are printed by whoever finds them, one
// `trapfuzz: FAIL ...` line each, the first kMaxPrinted of them.
#pragma once

#include <cstdint>

namespace trapfuzz {

inline constexpr std::uint64_t kMaxPrinted = 20;

struct Counters {
    std::uint64_t instructions = 0;  // random instruction words run (VS and VU)
    std::uint64_t csr_ops = 0;       // CSR sweep operations (VS and VU)
    std::uint64_t sbi_calls = 0;     // SBI calls made (skipped ones not counted)
    std::uint64_t sbi_skipped = 0;   // calls that would have stopped the partition
    std::uint64_t traps = 0;         // operations that ended in the guest's trap vector
    std::uint64_t failures = 0;      // invariant violations
    std::uint64_t device_accesses = 0;  // loads/stores/AMOs aimed at an emulated device window
    std::uint64_t device_served = 0;    // ... that completed without a trap (the hypervisor emulated them)
    // Traps by cause: exceptions 0-15 at their code, interrupts at 16 + code.
    std::uint64_t causes[32] = {};

    void count_trap(std::uint64_t scause) {
        ++traps;
        const bool interrupt = (scause >> 63) != 0;
        const std::uint64_t code = scause & ~(1ULL << 63);
        if (code < 16) ++causes[interrupt ? 16 + code : code];
    }

    // Counts a failure; true while its line should still be printed.
    bool failure() { return ++failures <= kMaxPrinted; }
};

}  // namespace trapfuzz
