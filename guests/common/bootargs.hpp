// Options for bare-metal guests from their DT's /chosen/bootargs:
// space-separated `key=value` words (a bare `key` counts as present with an
// empty value). Numbers are decimal or 0x-prefixed hex; lists are
// comma-separated (`probe=0x80200000,0x2000000`).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace guest {

// Splits `text` at the first `separator`: head before it, tail after it (empty
// when there is none); true if there was one. No string_view::find/substr:
// they would pull in memchr and the out-of-range throw.
inline bool split(std::string_view text, char separator, std::string_view& head,
                  std::string_view& tail) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != separator) continue;
        head = std::string_view(text.data(), i);
        tail = std::string_view(text.data() + i + 1, text.size() - i - 1);
        return true;
    }
    head = text;
    tail = std::string_view();
    return false;
}

inline bool starts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && std::string_view(text.data(), prefix.size()) == prefix;
}

// A number in decimal or 0x hex, nullopt unless the whole text is one.
inline std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : text) {
        std::uint64_t digit;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint64_t>(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint64_t>(c - 'a' + 10);
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            digit = static_cast<std::uint64_t>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        if (digit >= base || value > (~0ULL - digit) / base) return std::nullopt;
        value = value * base + digit;
    }
    return value;
}

class Bootargs {
public:
    explicit Bootargs(std::string_view text) : text_(text) {}

    // The value of `key`, nullopt if the key is absent (the first one counts).
    std::optional<std::string_view> value(std::string_view key) const {
        std::string_view rest = text_;
        while (!rest.empty()) {
            std::string_view word, name, value;
            split(rest, ' ', word, rest);
            split(word, '=', name, value);
            if (name == key) return value;
        }
        return std::nullopt;
    }

    bool has(std::string_view key) const { return value(key).has_value(); }

    // The number `key` gives; `fallback` when absent; nullopt when malformed.
    std::optional<std::uint64_t> number(std::string_view key, std::uint64_t fallback) const {
        const auto text = value(key);
        if (!text) return fallback;
        return parse_number(*text);
    }

private:
    std::string_view text_;
};

// Calls item(text) for every comma-separated item of a list.
template <class Item>
void for_each_item(std::string_view list, Item item) {
    std::string_view head;
    for (bool more = !list.empty(); more;) {
        more = split(list, ',', head, list);
        item(head);
    }
}

}  // namespace guest
