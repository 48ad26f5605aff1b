// A virtual SiFive PLIC for one partition, laid out as on QEMU virt, which
// is what guests expect:
//
//   0x000000 + 4 * source                 priority (3 bits)
//   0x001000 + 4 * word                   pending bits (read-only to the guest)
//   0x002000 + 0x80 * context + 4 * word  enable bits
//   0x200000 + 0x1000 * context           priority threshold (3 bits)
//   0x200004 + 0x1000 * context           claim (read) / complete (write)
//
// Context 2 * vhart is the virtual hart's M-mode context: its registers exist
// but it never signals (a guest has no M-mode). Context 2 * vhart + 1 is its
// S-mode context, which drives hvip.VSEIP through signals().
//
// Gateway semantics of the PLIC specification: a source is pending until a
// claim takes it; from the claim to its completion it is "in service" and
// further requests are not latched. Two kinds of sources feed it:
//  - raise(): passthrough interrupts, claimed by the hypervisor on the
//    physical PLIC, which will not raise them again before the hypervisor
//    completes them there (after the guest's completion, see take_completed);
//  - set_level(): emulated level-triggered devices (the virtual UART). While
//    the source is not in service its pending bit follows the line (a line
//    that drops before the claim withdraws the request, as on QEMU's PLIC,
//    so the guest sees no spurious interrupt); a line still high when the
//    guest completes the source makes it pending again.
// A source is driven one way or the other, not both.
//
// After every register write, raise() and set_level(), the caller updates
// hvip.VSEIP of the partition's harts from signals(). Not thread-safe by
// itself (the caller holds the partition's lock); no dynamic allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace tessera::irq {

inline constexpr std::uint32_t kMaxVirtualSources = 128;  // source ids 1..127
inline constexpr std::uint32_t kMaxVirtualHarts = 8;
inline constexpr std::uint32_t kMaxVirtualContexts = 2 * kMaxVirtualHarts;

namespace plic_layout {
inline constexpr std::uint64_t kPriorityBase = 0x0;
inline constexpr std::uint64_t kPendingBase = 0x1000;
inline constexpr std::uint64_t kEnableBase = 0x2000;
inline constexpr std::uint64_t kEnableStride = 0x80;  // per context
inline constexpr std::uint64_t kContextBase = 0x200000;
inline constexpr std::uint64_t kContextStride = 0x1000;  // per context
inline constexpr std::uint64_t kThresholdOffset = 0x0;   // inside a context's page
inline constexpr std::uint64_t kClaimOffset = 0x4;
inline constexpr std::uint32_t kPriorityMask = 0x7;

inline constexpr std::uint64_t priority(std::uint32_t source) {
    return kPriorityBase + 4ULL * source;
}
inline constexpr std::uint64_t pending(std::uint32_t word) { return kPendingBase + 4ULL * word; }
inline constexpr std::uint64_t enable(std::uint32_t context, std::uint32_t word) {
    return kEnableBase + kEnableStride * context + 4ULL * word;
}
inline constexpr std::uint64_t threshold(std::uint32_t context) {
    return kContextBase + kContextStride * context + kThresholdOffset;
}
inline constexpr std::uint64_t claim(std::uint32_t context) {
    return kContextBase + kContextStride * context + kClaimOffset;
}
// Bytes of register space that `vharts` virtual harts need (the DT reg size).
inline constexpr std::uint64_t window_size(std::uint32_t vharts) {
    return kContextBase + kContextStride * 2ULL * vharts;
}
}  // namespace plic_layout

namespace detail {
// The index of the lowest set bit of a non-zero word (what std::countr_zero
// returns). rv64imac has no count-trailing-zeros instruction (that is Zbb),
// and GCC lowers std::countr_zero and __builtin_ctz to a call to libgcc's
// __ctzdi2, which the -nostdlib firmware does not link. So a branch-free de
// Bruijn multiplication instead: word & -word isolates the lowest bit 2^n,
// the product kDeBruijn32 * 2^n is the sequence shifted left by n, and its
// top 5 bits, a different window of the sequence for every n, index a table
// of n. About 6 instructions (neg, and, mulw, srliw, add, lbu).
inline constexpr std::uint32_t kDeBruijn32 = 0x077cb531U;  // B(2, 5): 32 distinct 5-bit windows

constexpr std::array<std::uint8_t, 32> make_lowest_bit_table() {
    std::array<std::uint8_t, 32> table{};
    for (std::uint32_t bit = 0; bit < 32; ++bit)
        table[(kDeBruijn32 << bit) >> 27] = static_cast<std::uint8_t>(bit);
    return table;
}
inline constexpr std::array<std::uint8_t, 32> kLowestBitTable = make_lowest_bit_table();

constexpr std::uint32_t lowest_set_bit(std::uint32_t word) {
    return kLowestBitTable[((word & (0U - word)) * kDeBruijn32) >> 27];
}

constexpr bool lowest_set_bit_is_exact() {
    for (std::uint32_t bit = 0; bit < 32; ++bit)
        if (lowest_set_bit(1U << bit) != bit || lowest_set_bit(~0U << bit) != bit) return false;
    return true;
}
static_assert(lowest_set_bit_is_exact(), "kDeBruijn32 is not a de Bruijn sequence");
}  // namespace detail

inline constexpr std::uint32_t m_context(std::uint32_t vhart) { return 2 * vhart; }
inline constexpr std::uint32_t s_context(std::uint32_t vhart) { return 2 * vhart + 1; }

// A set of source ids 0..kMaxVirtualSources-1, one bit each.
class SourceSet {
public:
    static constexpr std::uint32_t kWords = kMaxVirtualSources / 32;

    constexpr bool contains(std::uint32_t source) const {
        return source < kMaxVirtualSources && (words_[source / 32] >> (source % 32) & 1) != 0;
    }
    constexpr void insert(std::uint32_t source) {
        if (source < kMaxVirtualSources) words_[source / 32] |= 1U << (source % 32);
    }
    constexpr void erase(std::uint32_t source) {
        if (source < kMaxVirtualSources) words_[source / 32] &= ~(1U << (source % 32));
    }
    constexpr bool empty() const {
        for (std::uint32_t bits : words_)
            if (bits != 0) return false;
        return true;
    }
    constexpr void clear() { words_ = {}; }
    // The register view: bits of sources 32 * index .. 32 * index + 31.
    constexpr std::uint32_t word(std::uint32_t index) const {
        return index < kWords ? words_[index] : 0;
    }
    constexpr void set_word(std::uint32_t index, std::uint32_t value) {
        if (index < kWords) words_[index] = value;
    }
    // Calls visit(source) for every member, in increasing order. Only the set
    // bits cost anything. After each visit the word is read again, so a visit
    // that changes the set sees the same thing as with a bit-by-bit walk: the
    // next source visited is the lowest member above the last one, as of now.
    template <class Visit>
    constexpr void for_each(Visit visit) const {
#pragma GCC unroll 4
        for (std::uint32_t index = 0; index < kWords; ++index) {
            std::uint32_t bits = words_[index];
            while (bits != 0) {
                const std::uint32_t bit = detail::lowest_set_bit(bits);
                visit(32 * index + bit);
                bits = words_[index] & ~((2U << bit) - 1U);  // the bits above `bit`; none for 31
            }
        }
    }

private:
    std::array<std::uint32_t, kWords> words_{};
};

class VirtualPlic {
public:
    // `sources` is riscv,ndev (ids 1..sources), `vharts` the partition's harts;
    // both are clamped to what the storage holds. Everything else becomes 0.
    void reset(std::uint32_t sources, std::uint32_t vharts);

    // Guest access at `offset` inside the window. Only naturally aligned 4-byte
    // accesses are valid; anything else returns false (the caller injects an
    // access fault). Offsets that name no register (sources past riscv,ndev,
    // contexts past the partition's, gaps) read 0 and ignore writes.
    bool read(std::uint64_t offset, unsigned width, std::uint32_t& value);
    bool write(std::uint64_t offset, unsigned width, std::uint32_t value);

    // Whether `offset` is a context's claim/complete register: the one
    // register whose read changes state (read() claims).
    static constexpr bool is_claim_register(std::uint64_t offset) {
        using namespace plic_layout;
        return offset >= kContextBase && (offset - kContextBase) % kContextStride == kClaimOffset;
    }
    // read() for every other offset: a read without side effects, inline
    // so that the trap path serves the most frequent PLIC reads without a
    // call (see vcpu/emulated_devices.cpp). A claim offset reads 0 here.
    bool read_register(std::uint64_t offset, unsigned width, std::uint32_t& value) const {
        using namespace plic_layout;
        if (width != 4 || offset % 4 != 0) return false;
        std::uint32_t result = 0;
        if (offset < kPendingBase) {
            const std::uint64_t source = (offset - kPriorityBase) / 4;
            if (source_exists(static_cast<std::uint32_t>(source))) result = priority_[source];
        } else if (offset < kEnableBase) {
            const std::uint64_t word = (offset - kPendingBase) / 4;
            if (word < SourceSet::kWords) result = pending_.word(static_cast<std::uint32_t>(word));
        } else if (offset < kContextBase) {
            const std::uint64_t context = (offset - kEnableBase) / kEnableStride;
            const std::uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
            if (context < contexts_ && word < SourceSet::kWords)
                result = enabled_[context].word(static_cast<std::uint32_t>(word));
        } else {
            const std::uint64_t context = (offset - kContextBase) / kContextStride;
            const std::uint64_t reg = (offset - kContextBase) % kContextStride;
            if (context < contexts_ && reg == kThresholdOffset) result = threshold_[context];
        }
        value = result;
        return true;
    }

    // A passthrough interrupt arrived (claimed in HS on the physical PLIC).
    // Ignored while the source is in service, or for a source that does not exist.
    void raise(std::uint32_t source);
    // The line of a level-triggered emulated device.
    void set_level(std::uint32_t source, bool high);

    // The sources the guest completed since the last call; the hypervisor then
    // completes those it passes through on the physical PLIC (the set also
    // holds completed level sources, which have no physical counterpart).
    SourceSet take_completed();

    // Whether vhart's S context has a pending, enabled source with a priority
    // above its threshold (drives hvip.VSEIP). False for vharts that don't exist.
    bool signals(std::uint32_t vhart) const;
    // signals() of every vhart at once: bit v for vhart v (vharts 0..63).
    std::uint64_t signal_levels() const;

    // Where the hypervisor routes the physical interrupt: the lowest vhart
    // whose S context enables `source` with a threshold below its priority,
    // else the lowest whose S context enables it at all; nullopt when none
    // does or the source's priority is 0.
    std::optional<std::uint32_t> first_enabled_vhart(std::uint32_t source) const;
    bool enabled_anywhere(std::uint32_t source) const {
        return first_enabled_vhart(source).has_value();
    }

    std::uint32_t sources() const { return sources_; }
    std::uint32_t contexts() const { return contexts_; }

private:
    bool source_exists(std::uint32_t source) const { return source >= 1 && source <= sources_; }
    // The source a claim in `context` would take, 0 if none.
    std::uint32_t best_pending(std::uint32_t context) const;
    // Whether best_pending(context) != 0, stopping at the first eligible source.
    bool any_pending(std::uint32_t context) const;
    std::uint32_t claim(std::uint32_t context);
    void complete(std::uint32_t context, std::uint32_t source);

    std::uint32_t sources_ = 0;
    std::uint32_t contexts_ = 0;
    SourceSet existing_;    // 1..sources_: the enable bits that are writable
    SourceSet pending_;
    SourceSet in_service_;  // claimed, not completed yet
    SourceSet line_high_;   // level sources whose line is high
    SourceSet completed_;   // completed since the last take_completed()
    std::array<std::uint8_t, kMaxVirtualSources> priority_{};
    std::array<SourceSet, kMaxVirtualContexts> enabled_{};
    std::array<std::uint8_t, kMaxVirtualContexts> threshold_{};
};

}  // namespace tessera::irq
