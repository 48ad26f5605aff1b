#include "paging.hpp"

#include "sv39.hpp"

namespace trapfuzz {
namespace {

namespace sv39 = guest::sv39;
using namespace sv39;

constexpr std::uint64_t kUserAll = kPteR | kPteW | kPteX | kPteU | kPteA | kPteD;
constexpr unsigned kFuzzedL1 = 2;  // level-1 entries randomized
constexpr unsigned kFuzzedL0 = 8;  // entries randomized in each level-0 table

// VU-mode translation: the first GiB (devices) and the GiB above it (no
// guest memory behind it: guest-page faults) identity-mapped for user mode,
// the first GiB again at kDeviceAlias, the fuzzed GiB at kFuzzedVa; RAM
// through 2 MiB pages, supervisor-only but for the arena.
alignas(4096) Table g_root;
alignas(4096) Table g_ram;
alignas(4096) Table g_fuzzed_l1;
alignas(4096) Table g_fuzzed_l0[kFuzzedL1];

// Guest-physical pages with nothing of the partition's behind them.
constexpr std::uint64_t kNoMemoryPages[] = {0x0, 0x1000, 0x40000000, 0x7ffff000};

std::uint64_t address_of(const void* table_page) { return reinterpret_cast<std::uintptr_t>(table_page); }

std::uint64_t leaf_target(Prng& rng, const Layout& layout) {
    switch (rng.below(5)) {
        case 0: return layout.middle - (rng.percent(50) ? kPage : 0);  // the refilled window
        case 1: return layout.plic + (rng.below(4) << 12) + (rng.percent(30) ? 0x200000 : 0);
        case 2: return layout.uart & ~(kPage - 1);
        case 3: return rng.pick(kNoMemoryPages);
        default: return address_of(g_fuzzed_l0[rng.below(kFuzzedL1)]);
    }
}

// Flags of a leaf: any of R, W, X, U (mostly set), G, A, D; now and then a
// reserved bit (PBMT, N, bits 54-60).
std::uint64_t leaf_flags(Prng& rng) {
    std::uint64_t flags = rng.next() & (kPteR | kPteW | kPteX | 32 /* G */ | kPteA | kPteD);
    if ((flags & (kPteR | kPteW | kPteX)) == 0) flags |= kPteR;  // else it is a pointer
    if (rng.percent(85)) flags |= kPteU;
    if (rng.percent(5)) flags |= 1ULL << (54 + rng.below(10));
    return flags;
}

std::uint64_t level1_entry(Prng& rng, const Layout& layout, unsigned index) {
    const std::uint64_t kind = rng.below(100);
    if (kind < 10) return 0;
    if (kind < 55) return table(g_fuzzed_l0[index]);
    if (kind < 70) {  // a next-level table where there is no RAM, or in a device
        const std::uint64_t where = rng.percent(50) ? rng.pick(kNoMemoryPages) : layout.plic;
        return (where >> 12) << 10 | kPteV;
    }
    // A 2 MiB leaf: a device region, no memory, or misaligned (a page fault).
    constexpr std::uint64_t kAligned[] = {0x0c000000, 0x10000000, 0x40000000};
    const std::uint64_t target = rng.percent(80) ? rng.pick(kAligned) : leaf_target(rng, layout);
    return leaf(target, leaf_flags(rng));
}

std::uint64_t level0_entry(Prng& rng, const Layout& layout) {
    const std::uint64_t kind = rng.below(100);
    if (kind < 10) return 0;
    if (kind < 15) return table(g_fuzzed_l0[0]);  // a pointer at the last level: page fault
    return leaf(leaf_target(rng, layout), leaf_flags(rng));
}

}  // namespace

std::uint64_t build_vu_tables(const Layout& layout) {
    clear(g_root);
    clear(g_ram);
    clear(g_fuzzed_l1);
    for (auto& table_page : g_fuzzed_l0) clear(table_page);
    identity_gigapage(g_root, 0, kUserAll);
    identity_gigapage(g_root, kGiga, kUserAll);
    g_root[giga_index(kDeviceAlias)] = leaf(0, kUserAll);
    g_root[giga_index(kFuzzedVa)] = table(g_fuzzed_l1);
    g_root[giga_index(layout.ram_base)] = table(g_ram);
    for (std::uint64_t page = layout.ram_base & ~(kMega - 1); page < layout.ram_end; page += kMega) {
        const bool arena = page == layout.arena;
        g_ram[mega_index(page)] = leaf(page, arena ? kUserAll : kPteR | kPteW | kPteX | kPteA | kPteD);
    }
    return satp(g_root);
}

void randomize_fuzzed_tables(Prng& rng, const Layout& layout) {
    for (unsigned i = 0; i < kFuzzedL1; ++i) {
        g_fuzzed_l1[i] = level1_entry(rng, layout, i);
        for (unsigned j = 0; j < kFuzzedL0; ++j) g_fuzzed_l0[i][j] = level0_entry(rng, layout);
    }
}

std::uint64_t fuzzed_address(Prng& rng) {
    return kFuzzedVa + (rng.below(kFuzzedL1) << 21) + (rng.below(kFuzzedL0) << 12) + rng.below(kPage);
}

bool walk_leaves_ram(const Layout& layout, std::uint64_t va) {
    if (va - kFuzzedVa >= kGiga) return false;
    const std::uint64_t entry = g_fuzzed_l1[mega_index(va)];
    if ((entry & kPteV) == 0 || (entry & (kPteR | kPteW | kPteX)) != 0) return false;
    if ((entry >> 54) != 0) return false;  // reserved bits: a page fault first
    const std::uint64_t next = (entry >> 10) << 12;
    return next < layout.ram_base || next >= layout.ram_end;
}

}  // namespace trapfuzz
