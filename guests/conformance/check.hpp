// The check framework: one Check object per check; it prints exactly
// `PASS <name>` or `FAIL <name>: <detail>` when it goes out of scope, and
// counts the result. An exception the handler did not expect while the check
// ran fails it too, with the trap's details. No heap, no exceptions.
#pragma once

#include <cstdint>
#include <string_view>

#include "lib/text.hpp"
#include "platform.hpp"
#include "trap.hpp"

namespace conformance {

class Check {
public:
    explicit Check(std::string_view name);
    ~Check();
    Check(const Check&) = delete;
    Check& operator=(const Check&) = delete;

    // Each returns `ok` and, when it is false, adds `what` (and the values)
    // to the failure detail.
    bool expect(bool ok, std::string_view what);
    bool expect_eq(std::string_view what, std::uint64_t got, std::uint64_t want);
    // SBI error codes, printed as signed numbers.
    bool expect_error(std::string_view what, std::int64_t got, std::int64_t want);
    bool expect_sbi(std::string_view what, const sbi::Ret& ret, std::int64_t error);
    bool expect_sbi(std::string_view what, const sbi::Ret& ret, std::int64_t error,
                    std::uint64_t value);
    bool expect_no_trap(std::string_view what, const Trap& trap);
    bool expect_trap(std::string_view what, const Trap& trap, std::uint64_t cause);
    bool expect_trap(std::string_view what, const Trap& trap, std::uint64_t cause,
                     std::uint64_t stval);

    // Free-form detail for a failure found otherwise.
    tessera::Line& detail();
    void fail(std::string_view what);

private:
    void separate();

    std::string_view name_;
    tessera::Line detail_;
    bool failed_ = false;
    std::uint32_t unexpected_before_;
};

struct Totals {
    std::uint32_t passed = 0;
    std::uint32_t failed = 0;
};
extern Totals g_totals;

// A signed number as text ("-3").
struct Signed {
    std::int64_t value;
};
inline tessera::Line& operator<<(tessera::Line& text, Signed number) {
    if (number.value < 0) text << '-';
    const std::uint64_t magnitude = number.value < 0 ? 0 - static_cast<std::uint64_t>(number.value)
                                                     : static_cast<std::uint64_t>(number.value);
    return text << tessera::dec(magnitude);
}

}  // namespace conformance
