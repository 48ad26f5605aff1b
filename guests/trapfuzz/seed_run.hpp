// One seed's run: `count` fuzz operations in batches of one kind, drawn
// at random (guests/trapfuzz/README.md, "How one operation runs"): instruction
// words in VS-mode (35 %) and VU-mode (20 %, some through freshly randomized
// page tables), the CSR sweep in VS-mode (15 %) and VU-mode (10 %), SBI
// calls (20 %). Every trap is counted and checked (checks.hpp, sbi_fuzz.hpp).
#pragma once

#include <cstdint>

#include "layout.hpp"
#include "prng.hpp"
#include "counters.hpp"
#include "runner.hpp"
#include "sbi_fuzz.hpp"
#include "words.hpp"

namespace trapfuzz {

class SeedRun {
public:
    SeedRun(const Layout& layout, std::uint64_t seed);

    const Counters& run(std::uint64_t count);

    // `trapfuzz: seed S traps by scause: ...` and the time and device figures.
    void print_figures() const;

private:
    bool aims_at_device(std::uint64_t address, Mode mode) const;
    void use(Mode mode);
    void execute(Mode mode, Word word, const std::uint64_t regs[32], std::uint64_t op,
                 const char* what);
    void instruction(Mode mode, std::uint64_t op, bool fuzz_paging);
    void csr_op(Mode mode, std::uint64_t op);

    const Layout& layout_;
    std::uint64_t seed_;
    Prng rng_;
    Counters counters_;
    Runner runner_;
    SbiFuzzer sbi_;
    std::uint64_t csr_start_[2] = {};
    std::uint64_t csr_done_[2] = {};
    std::uint64_t csr_stride_ = 1;
    std::uint64_t ticks_ = 0;  // how long the run took
};

}  // namespace trapfuzz
