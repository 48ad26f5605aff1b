// Fixed-capacity text building for log lines: no heap, no printf.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera {

template <std::size_t Capacity>
class Text {
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
        put('0');
        put('x');
        int shift = 60;
        while (shift > 0 && ((hex.value >> shift) & 0xf) == 0) shift -= 4;
        for (; shift >= 0; shift -= 4) put("0123456789abcdef"[(hex.value >> shift) & 0xf]);
        return *this;
    }
    Text& operator<<(Dec dec) {
        char digits[20];
        int count = 0;
        std::uint64_t value = dec.value;
        do {
            digits[count++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0) put(digits[--count]);
        return *this;
    }

    std::string_view view() const { return {buffer_, length_}; }

private:
    void put(char c) {
        if (length_ < Capacity) buffer_[length_++] = c;
    }
    char buffer_[Capacity];
    std::size_t length_ = 0;
};

using Line = Text<160>;
inline Line::Hex hex(std::uint64_t value) { return {value}; }
inline Line::Dec dec(std::uint64_t value) { return {value}; }

}  // namespace tessera
