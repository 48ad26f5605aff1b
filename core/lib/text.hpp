// Fixed-capacity text building for log lines: no heap, no printf.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera {

// Writes `value` as 0x-prefixed lowercase hex (no leading zeros) through put(char).
template <class Put>
void format_hex(std::uint64_t value, Put put) {
    put('0');
    put('x');
    int shift = 60;
    while (shift > 0 && ((value >> shift) & 0xf) == 0) shift -= 4;
    for (; shift >= 0; shift -= 4) put("0123456789abcdef"[(value >> shift) & 0xf]);
}

// Writes `value` in decimal through put(char).
template <class Put>
void format_dec(std::uint64_t value, Put put) {
    char digits[20];
    int count = 0;
    do {
        digits[count++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0) put(digits[--count]);
}

template <std::size_t Capacity>
class Text {  // NOLINT(cppcoreguidelines-pro-type-member-init): buffer_, see there
public:
    Text& operator<<(std::string_view text) {
        for (char c : text) put(c);
        return *this;
    }
    Text& operator<<(char c) {
        put(c);
        return *this;
    }

    struct Hex {
        std::uint64_t value;
    };
    struct Dec {
        std::uint64_t value;
    };
    Text& operator<<(Hex hex) {
        format_hex(hex.value, [this](char c) { put(c); });
        return *this;
    }
    Text& operator<<(Dec dec) {
        format_dec(dec.value, [this](char c) { put(c); });
        return *this;
    }

    std::string_view view() const { return {buffer_, length_}; }

private:
    void put(char c) {
        if (length_ < Capacity) buffer_[length_++] = c;
    }
    // Written by put() only, read up to length_ only. Not zero-filled: that
    // would be a memset per log line, 224 bytes of the 24 KiB code budget.
    // cppcheck-suppress uninitMemberVarPrivate ; bytes past length_ are never read
    char buffer_[Capacity];
    std::size_t length_ = 0;
};

using Line = Text<160>;
inline Line::Hex hex(std::uint64_t value) { return {value}; }
inline Line::Dec dec(std::uint64_t value) { return {value}; }

}  // namespace tessera
