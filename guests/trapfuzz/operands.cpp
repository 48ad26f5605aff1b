#include "operands.hpp"

namespace trapfuzz {
namespace {

// Offsets into the virtual PLIC (QEMU virt layout): priorities, pending,
// the enables of contexts 0 and 1, the threshold and claim of contexts 0
// and 1, and a context the partition doesn't have.
constexpr std::uint64_t kPlicOffsets[] = {0x0,      0x28,     0x1000,   0x2000,  0x2080,
                                          0x200000, 0x200004, 0x201000, 0x201004, 0x203000,
                                          0x3ffffc};
// Guest-physical addresses with nothing of the partition's behind them:
// address 0, the GiB below RAM, QEMU's CLINT and test finisher addresses,
// the top of the Sv39x4 guest-physical space and beyond it.
constexpr std::uint64_t kNoMemory[] = {0x0,         0x1000,          0x100000,  0x2000000,
                                       0x40000000,  0x7ffff000,      0x1ff'ffff'f000,
                                       0x200'0000'0000, 0xffff'ffff'ffff'f000};

constexpr std::uint64_t kPlicRegisters[] = {0x0,      0x4,      0x28,     0x1000,  0x2000,
                                            0x2080,   0x200000, 0x200004, 0x201000, 0x201004};

std::int64_t signed_below(Prng& rng, std::int64_t half) {
    return static_cast<std::int64_t>(rng.below(2 * static_cast<std::uint64_t>(half))) - half;
}

std::uint64_t arena_pointer(Prng& rng, const Layout& layout) {
    if (rng.percent(70))  // 8-byte aligned
        return layout.middle + static_cast<std::uint64_t>(8 * signed_below(rng, 256));
    return layout.middle + static_cast<std::uint64_t>(signed_below(rng, 2048));
}

// In VU-mode half of them through the alias mapping.
std::uint64_t device_pointer(Prng& rng, const Layout& layout, Mode mode) {
    const std::uint64_t alias = mode == Mode::VU && rng.percent(50) ? kDeviceAlias : 0;
    if (rng.percent(60)) return alias + layout.plic + rng.pick(kPlicOffsets) + 4 * rng.below(4);
    return alias + layout.uart + rng.below(8);
}

std::uint64_t small_value(Prng& rng) {
    switch (rng.below(4)) {
        case 0: return rng.below(32);
        case 1: return 1ULL << rng.below(64);
        case 2: return ~0ULL - rng.below(4);
        default: return rng.below(4096);
    }
}

}  // namespace

std::uint64_t random_value(Prng& rng, const Layout& layout, Mode mode) {
    const std::uint64_t kind = rng.below(100);
    std::uint64_t value;
    if (kind < 40) {
        value = rng.next();
    } else if (kind < 70) {
        value = small_value(rng);
    } else if (kind < 80) {
        value = rng.next() & rng.next();  // sparse bits
    } else if (kind < 90) {
        value = arena_pointer(rng, layout);
    } else if (kind < 95) {
        value = device_pointer(rng, layout, mode);
    } else {
        value = rng.pick(kNoMemory) + rng.below(64);
    }
    return without_paging_mode(value);
}

void random_registers(Prng& rng, const Layout& layout, Mode mode, std::uint64_t regs[32]) {
    regs[0] = 0;
    for (unsigned i = 1; i < 32; ++i) {
        const std::uint64_t kind = rng.below(100);
        std::uint64_t value;
        if (kind < 50) {
            value = arena_pointer(rng, layout);
        } else if (kind < 65) {
            value = device_pointer(rng, layout, mode);
        } else if (kind < 75) {
            value = rng.pick(kNoMemory) + rng.below(4096);
        } else if (kind < 85) {
            value = small_value(rng);
        } else if (kind < 95 || mode == Mode::VS) {
            value = rng.next();
        } else {
            // VU-mode only: the guest's own supervisor pages (its image).
            value = layout.image_start + 8 * rng.below((layout.image_end - layout.image_start) / 8);
        }
        regs[i] = without_paging_mode(value);
    }
}

Word device_access(Prng& rng, const Layout& layout, Mode mode, std::uint64_t regs[32]) {
    const bool plic = rng.percent(60);
    const std::uint64_t alias = mode == Mode::VU && rng.percent(50) ? kDeviceAlias : 0;
    const std::uint64_t address =
        alias + (plic ? layout.plic + rng.pick(kPlicRegisters) + 4 * rng.below(4)
                      : layout.uart + rng.below(8));
    std::uint32_t width_log = plic ? 2 : 0;  // 4 or 1 bytes
    if (rng.percent(15)) width_log = static_cast<std::uint32_t>(rng.below(4));
    const bool store = rng.percent(50);
    const std::uint32_t data = static_cast<std::uint32_t>(rng.below(32));
    if (width_log >= 2 && rng.percent(25)) {
        // c.lw/c.ld/c.sw/c.sd: base x8-x15, offset a multiple of the width.
        const std::uint32_t base = static_cast<std::uint32_t>(rng.below(8));
        const std::uint32_t funct3 = (store ? 6 : 2) + (width_log == 3 ? 1 : 0);
        regs[8 + base] = address;  // offset 0
        return make_word(funct3 << 13 | base << 7 | (data & 7) << 2);
    }
    const std::uint32_t base = static_cast<std::uint32_t>(1 + rng.below(31));
    const std::int64_t offset = static_cast<std::int64_t>(1ULL << width_log) * signed_below(rng, 16);
    regs[base] = address - static_cast<std::uint64_t>(offset);
    const std::uint32_t imm = static_cast<std::uint32_t>(offset) & 0xfff;
    if (store)
        return make_word((imm >> 5) << 25 | data << 20 | base << 15 | width_log << 12 |
                         (imm & 31) << 7 | 0x23);
    const std::uint32_t unsigned_load = width_log < 3 && rng.percent(50) ? 4 : 0;  // LBU/LHU/LWU
    return make_word(imm << 20 | base << 15 | (unsigned_load | width_log) << 12 | data << 7 | 0x03);
}

}  // namespace trapfuzz
