// Line-oriented console output for bare-metal guests (SBI DBCN).
#pragma once

#include <cstdint>
#include <string_view>

#include "sbi.hpp"

namespace guest {

class Out {
public:
    Out& operator<<(std::string_view text) {
        for (char c : text) put(c);
        return *this;
    }
    Out& operator<<(std::uint64_t value) {
        char digits[20];
        int count = 0;
        do {
            digits[count++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0) put(digits[--count]);
        return *this;
    }
    struct Hex {
        std::uint64_t value;
    };
    Out& operator<<(Hex hex) {
        *this << "0x";
        int shift = 60;
        while (shift > 0 && ((hex.value >> shift) & 0xf) == 0) shift -= 4;
        for (; shift >= 0; shift -= 4) put("0123456789abcdef"[(hex.value >> shift) & 0xf]);
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
