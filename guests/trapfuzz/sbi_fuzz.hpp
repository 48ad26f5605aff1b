// SBI calls with random extension and function IDs and arguments, made in
// VS-mode through the SBI stub (trap.S) with every other register set to a
// random pattern, each checked:
//  - the ecall comes back (or, for a non-retentive suspend, resumes at the
//    given address with a0 = the hart id and a1 = opaque), never as a trap;
//  - every register but a0 and a1 (a0 only, for the legacy extensions) is
//    as it was;
//  - the error is one of the SBI 2.0 codes (0 to -9); an extension that
//    BASE probe_extension reports absent answers SBI_ERR_NOT_SUPPORTED;
//    legacy calls return a0 in their ranges;
//  - BASE functions 0-6 succeed; HSM hart_get_status of the calling hart is
//    STARTED; a DBCN read or write moves at most the bytes asked for.
//
// Only what would legitimately stop the partition is not made (counted as
// skipped): SRST system_reset with a shutdown or reboot type and a valid
// reason, HSM hart_stop (the fuzzer's hart is the partition's only one) and
// the legacy shutdown (EID 8). Two are made harmless instead of skipped: a
// non-retentive HSM suspend gets trapfuzz_resume_entry as its resume
// address, and a DBCN read or write buffer that reaches the fuzzer's own
// image, stack, page tables, marker or DTB is moved into the arena (a write
// would put the fuzzer's own strings on the console, a read could overwrite
// its code). Every call has the timer armed with its interrupt enabled (but
// sstatus.SIE off), so a suspend wakes up.
#pragma once

#include <cstdint>

#include "layout.hpp"
#include "prng.hpp"
#include "counters.hpp"
#include "runner.hpp"

namespace trapfuzz {

class SbiFuzzer {
public:
    SbiFuzzer(const Layout& layout, Runner& runner, Counters& counters)
        : layout_(layout), runner_(runner), counters_(counters) {}

    // Asks BASE probe_extension about every extension ID the fuzzer aims at.
    void probe_known(Prng& rng);

    // One random call (op = the operation's number, for failure lines).
    void fuzz_one(Prng& rng, std::uint64_t op);

    struct Call {
        std::uint64_t eid, fid, arg[6];
    };

private:
    struct Result {
        bool returned = false;  // through the stub's capture (registers checked)
        bool resumed = false;   // non-retentive suspend resumed
        std::int64_t error = 0;
        std::uint64_t value = 0;
    };

    // Makes the call, checks the trap and calling-convention invariants.
    Result make(Prng& rng, const Call& call, std::uint64_t op);
    // 1/0 when `eid` was probed (known IDs), -1 otherwise.
    int probed(std::uint64_t eid) const;
    bool skipped(const Call& call) const;
    void make_harmless(Call& call) const;
    void fail(std::uint64_t op, const Call& call, const char* what, std::uint64_t got);

    const Layout& layout_;
    Runner& runner_;
    Counters& counters_;
    static constexpr unsigned kKnown = 24;
    std::uint64_t known_eid_[kKnown] = {};
    bool known_present_[kKnown] = {};
    unsigned known_count_ = 0;
};

}  // namespace trapfuzz
