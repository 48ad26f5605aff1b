#include "attempt.hpp"

#include "console.hpp"
#include "harts.hpp"

namespace hostile {

using tessera::hex;

Tally g_tally;

tessera::Line& operator<<(tessera::Line& text, Signed number) {
    if (number.value < 0) text << '-';
    const std::uint64_t magnitude = number.value < 0 ? 0 - static_cast<std::uint64_t>(number.value)
                                                     : static_cast<std::uint64_t>(number.value);
    return text << tessera::dec(magnitude);
}

tessera::Line& operator<<(tessera::Line& text, SbiError error) {
    if (const char* name = guest::sbi::error_name(error.value)) return text << std::string_view(name);
    return text << "error " << Signed{error.value};
}

Attempt::Attempt(std::string_view name, std::string_view expected)
    : unexpected_before_(g_unexpected.count) {
    name_ << name;
    expected_ << expected;
}

Attempt::~Attempt() {
    if (g_unexpected.count != unexpected_before_) {
        const Unexpected& last = g_unexpected;
        escape() << "unexpected trap on vhart " << tessera::dec(last.hart) << ": scause "
                 << hex(last.scause) << " sepc " << hex(last.sepc) << " stval " << hex(last.stval);
    }
    ++g_tally.attempts;
    if (escaped_) ++g_tally.escapes;
    guest::Out() << "hostile: attempt " << name_.view() << ": " << expected_.view() << " ... "
                 << (escaped_ ? "ESCAPE: " : "ok") << what_.view() << "\n";
}

tessera::Line& Attempt::escape() {
    if (escaped_) what_ << "; ";
    escaped_ = true;
    return what_;
}

bool Attempt::expect(bool ok, std::string_view what) {
    if (!ok) escape() << what;
    return ok;
}

bool Attempt::expect_eq(std::string_view what, std::uint64_t got, std::uint64_t want) {
    if (got == want) return true;
    escape() << what << " " << hex(got) << ", expected " << hex(want);
    return false;
}

bool Attempt::expect_fault(const guest::Caught& caught, std::uint64_t cause, std::uint64_t stval,
                           std::uint64_t sepc) {
    if (!caught.taken) {
        escape() << "no exception";
        return false;
    }
    if (caught.scause == cause && caught.stval == stval && (sepc == 0 || caught.sepc == sepc))
        return true;
    escape() << "scause " << hex(caught.scause) << " stval " << hex(caught.stval) << " sepc "
             << hex(caught.sepc);
    return false;
}

bool Attempt::expect_sbi(const guest::sbi::Ret& ret, std::int64_t error) {
    if (ret.error == error) return true;
    escape() << "returned " << SbiError{ret.error} << " (value " << hex(ret.value) << ")";
    return false;
}

bool Attempt::expect_sbi(const guest::sbi::Ret& ret, std::int64_t error, std::uint64_t value) {
    if (ret.error == error && ret.value == value) return true;
    escape() << "returned " << SbiError{ret.error} << " value " << hex(ret.value);
    return false;
}

}  // namespace hostile
