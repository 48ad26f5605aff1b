// Line-oriented console output for bare-metal guests (SBI DBCN).
#pragma once

#include <cstdint>
#include <string_view>

#include "lib/text.hpp"  // the hypervisor's header-only number formatting
#include "sbi.hpp"

namespace guest {

class Out {
public:
    Out& operator<<(std::string_view text) {
        for (char c : text) put(c);
        return *this;
    }
    Out& operator<<(std::uint64_t value) {
        tessera::format_dec(value, [this](char c) { put(c); });
        return *this;
    }
    struct Hex {
        std::uint64_t value;
    };
    Out& operator<<(Hex hex) {
        tessera::format_hex(hex.value, [this](char c) { put(c); });
        return *this;
    }
    struct Signed {
        std::int64_t value;
    };
    Out& operator<<(Signed number) {
        if (number.value < 0) put('-');
        const std::uint64_t magnitude = number.value < 0 ? 0 - static_cast<std::uint64_t>(number.value)
                                                         : static_cast<std::uint64_t>(number.value);
        return *this << magnitude;
    }
    // An SBI error code by name ("INVALID_PARAM"), or as a number.
    struct SbiError {
        std::int64_t value;
    };
    Out& operator<<(SbiError error) {
        if (const char* name = sbi::error_name(error.value)) return *this << std::string_view(name);
        return *this << std::string_view("error ") << Signed{error.value};
    }
    ~Out() { flush(); }

private:
    void put(char c) {
        buffer_[length_++] = c;
        if (c == '\n' || length_ == sizeof(buffer_)) flush();
    }
    void flush() {
        if (length_ != 0) sbi::console_write(buffer_, length_);
        length_ = 0;
    }
    char buffer_[128];
    std::uint64_t length_ = 0;
};

inline Out::Hex hex(std::uint64_t value) { return {value}; }
inline Out::Signed signed_dec(std::int64_t value) { return {value}; }
inline Out::SbiError sbi_error(std::int64_t value) { return {value}; }

}  // namespace guest
