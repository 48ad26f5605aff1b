// One attack at a time: an Attempt prints exactly one line when it goes out
// of scope,
//   hostile: attempt <name>: <expected> ... ok
//   hostile: attempt <name>: <expected> ... ESCAPE: <what happened>
// and counts it. An escape is any answer that differs from what real
// hardware or the SBI specification gives, or any effect outside the
// partition. An exception the trap handler did not expect while the attempt
// ran (on either hart) makes it an escape too. No heap, no exceptions.
#pragma once

#include <cstdint>
#include <string_view>

#include "fault_catcher.hpp"
#include "lib/text.hpp"
#include "sbi.hpp"

namespace hostile {

struct Tally {
    std::uint32_t attempts = 0;
    std::uint32_t escapes = 0;
};
extern Tally g_tally;

class Attempt {
public:
    Attempt(std::string_view name, std::string_view expected);
    ~Attempt();
    Attempt(const Attempt&) = delete;
    Attempt& operator=(const Attempt&) = delete;

    // Marks the attempt as an escape; the returned text says what happened.
    tessera::Line& escape();

    // Each returns whether the answer was the expected one, and otherwise
    // records what it was.
    bool expect(bool ok, std::string_view what);
    bool expect_eq(std::string_view what, std::uint64_t got, std::uint64_t want);
    // The exception `cause` with stval = `stval`, taken at `sepc` unless 0.
    bool expect_fault(const guest::Caught& caught, std::uint64_t cause, std::uint64_t stval,
                      std::uint64_t sepc = 0);
    bool expect_sbi(const guest::sbi::Ret& ret, std::int64_t error);
    bool expect_sbi(const guest::sbi::Ret& ret, std::int64_t error, std::uint64_t value);

private:
    tessera::Line name_;
    tessera::Line expected_;
    tessera::Line what_;
    bool escaped_ = false;
    std::uint32_t unexpected_before_;
};

// A signed number (an SBI error) as text.
struct Signed {
    std::int64_t value;
};
tessera::Line& operator<<(tessera::Line& text, Signed number);
// An SBI error by name ("INVALID_PARAM"), or as a number.
struct SbiError {
    std::int64_t value;
};
tessera::Line& operator<<(tessera::Line& text, SbiError error);

}  // namespace hostile
