// A small deterministic random-number generator for the guests (the trap
// fuzzer, the SMP stress guest): xorshift64* seeded through
// splitmix64, so that every seed (0 included) gives a good, different
// stream, and the same seed gives the same stream on every run.
#pragma once

#include <cstdint>

namespace guest {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Prng {
public:
    explicit constexpr Prng(std::uint64_t seed) : state_(splitmix64(seed)) {
        if (state_ == 0) state_ = 0x2545f4914f6cdd1dULL;  // xorshift must not start at 0
    }

    constexpr std::uint64_t next() {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545f4914f6cdd1dULL;
    }

    // A number in [0, n) (n > 0; the modulo bias is irrelevant here).
    constexpr std::uint64_t below(std::uint64_t n) { return (next() >> 11) % n; }

    // True with probability percent/100.
    constexpr bool percent(unsigned chance) { return below(100) < chance; }

    // One of the array's elements.
    template <class T, std::uint64_t N>
    constexpr T pick(const T (&items)[N]) {
        return items[below(N)];
    }

private:
    std::uint64_t state_;
};

}  // namespace guest
