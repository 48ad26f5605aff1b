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

}  // namespace guest
