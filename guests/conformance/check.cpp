#include "check.hpp"

#include "console.hpp"

namespace conformance {

using tessera::dec;
using tessera::hex;

Totals g_totals;

Check::Check(std::string_view name) : name_(name), unexpected_before_(g_unexpected_count) {}

Check::~Check() {
    if (g_unexpected_count != unexpected_before_) {
        const Trap trap = g_last_unexpected;
        separate();
        detail_ << "unexpected trap scause=" << hex(trap.scause) << " sepc=" << hex(trap.sepc)
                << " stval=" << hex(trap.stval);
        failed_ = true;
    }
    if (failed_) {
        guest::Out() << "FAIL " << name_ << ": " << detail_.view() << "\n";
        ++g_totals.failed;
    } else {
        guest::Out() << "PASS " << name_ << "\n";
        ++g_totals.passed;
    }
}

void Check::separate() {
    if (failed_) detail_ << "; ";
}

tessera::Line& Check::detail() {
    separate();
    failed_ = true;
    return detail_;
}

void Check::fail(std::string_view what) { detail() << what; }

bool Check::expect(bool ok, std::string_view what) {
    if (!ok) fail(what);
    return ok;
}

bool Check::expect_eq(std::string_view what, std::uint64_t got, std::uint64_t want) {
    if (got == want) return true;
    detail() << what << " = " << hex(got) << ", expected " << hex(want);
    return false;
}

bool Check::expect_error(std::string_view what, std::int64_t got, std::int64_t want) {
    if (got == want) return true;
    detail() << what << " error " << Signed{got} << ", expected " << Signed{want};
    return false;
}

bool Check::expect_sbi(std::string_view what, const sbi::Ret& ret, std::int64_t error) {
    return expect_error(what, ret.error, error);
}

bool Check::expect_sbi(std::string_view what, const sbi::Ret& ret, std::int64_t error,
                       std::uint64_t value) {
    if (ret.error == error && ret.value == value) return true;
    detail() << what << " = (error " << Signed{ret.error} << ", value " << hex(ret.value)
             << "), expected (" << Signed{error} << ", " << hex(value) << ")";
    return false;
}

bool Check::expect_no_trap(std::string_view what, const Trap& trap) {
    if (!trap.taken) return true;
    detail() << what << " trapped: scause=" << hex(trap.scause) << " sepc=" << hex(trap.sepc)
             << " stval=" << hex(trap.stval);
    return false;
}

bool Check::expect_trap(std::string_view what, const Trap& trap, std::uint64_t cause) {
    if (trap.taken && trap.scause == cause) return true;
    if (!trap.taken) {
        detail() << what << " did not trap, expected scause " << dec(cause);
    } else {
        detail() << what << ": scause=" << hex(trap.scause) << " sepc=" << hex(trap.sepc)
                 << " stval=" << hex(trap.stval) << ", expected scause " << dec(cause);
    }
    return false;
}

bool Check::expect_trap(std::string_view what, const Trap& trap, std::uint64_t cause,
                        std::uint64_t stval) {
    if (!expect_trap(what, trap, cause)) return false;
    if (trap.stval == stval) return true;
    detail() << what << ": stval=" << hex(trap.stval) << ", expected " << hex(stval);
    return false;
}

}  // namespace conformance
