// Sv39 page tables for bare-metal guests that turn on their own paging
// (conformance's paging check, trapfuzz's VU-mode runs): page-table entry
// encodings, the satp value, and a root table with identity-mapped
// gigapages and next-level tables. Tables are the caller's own page-aligned
// arrays of 512 entries; nothing is allocated.
#pragma once

#include <cstdint>

namespace guest::sv39 {

inline constexpr std::uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteU = 16,
                               kPteA = 64, kPteD = 128;
inline constexpr std::uint64_t kPage = 1ULL << 12;
inline constexpr std::uint64_t kMega = 1ULL << 21;
inline constexpr std::uint64_t kGiga = 1ULL << 30;
inline constexpr std::uint64_t kSatpModeSv39 = 8ULL << 60;
inline constexpr unsigned kEntries = 512;

using Table = std::uint64_t[kEntries];

// A leaf mapping physical address `pa` with `flags` (V is added).
constexpr std::uint64_t leaf(std::uint64_t pa, std::uint64_t flags) {
    return (pa >> 12) << 10 | flags | kPteV;
}

// A pointer to the next-level table.
inline std::uint64_t table(const void* next) {
    return (reinterpret_cast<std::uintptr_t>(next) >> 12) << 10 | kPteV;
}

// satp for `root` (ASID 0).
inline std::uint64_t satp(const void* root) {
    return kSatpModeSv39 | (reinterpret_cast<std::uintptr_t>(root) >> 12);
}

inline void clear(std::uint64_t* table_page) {
    for (unsigned i = 0; i < kEntries; ++i) table_page[i] = 0;
}

// Level-2 index (which gigabyte), level-1 index (which 2 MiB inside it),
// level-0 index (which 4 KiB inside that) of a virtual address.
constexpr unsigned giga_index(std::uint64_t va) { return (va >> 30) & 511; }
constexpr unsigned mega_index(std::uint64_t va) { return (va >> 21) & 511; }
constexpr unsigned page_index(std::uint64_t va) { return (va >> 12) & 511; }

// Maps the gigabyte holding `va` one to one with `flags`.
inline void identity_gigapage(std::uint64_t* root, std::uint64_t va, std::uint64_t flags) {
    const std::uint64_t base = va & ~(kGiga - 1);
    root[giga_index(base)] = leaf(base, flags);
}

inline void sfence_vma() { asm volatile("sfence.vma" ::: "memory"); }

}  // namespace guest::sv39
