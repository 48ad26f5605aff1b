// Stage-2 (guest-physical -> host-physical) translation tables, Sv39x4.
//
// Layout: a 16 KiB root (2048 entries, 1 GiB each), then 4 KiB tables of
// 512 entries for 2 MiB and 4 KiB leaves. Every region is mapped with the
// largest leaf that its guest and host addresses and remaining size allow.
//
// pages_needed() is constexpr so that the per-scenario storage can
// static_assert that the pool tools/cfggen sized is exactly what the builder
// uses; tools/cfggen/stage2.py implements the same count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "config/types.hpp"

namespace tessera::mm {

inline constexpr std::uint64_t kPageSize = 4096;
inline constexpr std::uint64_t kMegaSize = 2ULL << 20;
inline constexpr std::uint64_t kGigaSize = 1ULL << 30;
inline constexpr std::size_t kRootPages = 4;            // 16 KiB root of Sv39x4
inline constexpr std::uint64_t kGuestPhysLimit = 1ULL << 41;  // Sv39x4 guest-physical space

namespace pte {
inline constexpr std::uint64_t V = 1 << 0, R = 1 << 1, W = 1 << 2, X = 1 << 3, U = 1 << 4,
                               A = 1 << 6, D = 1 << 7;
inline constexpr unsigned kPpnShift = 10;
}  // namespace pte

struct alignas(4096) PageTable {
    std::uint64_t entry[512];
};

// The largest leaf size usable at (gpa, hpa) with `remaining` bytes to map.
constexpr std::uint64_t leaf_size(std::uint64_t gpa, std::uint64_t hpa, std::uint64_t remaining) {
    for (std::uint64_t size : {kGigaSize, kMegaSize}) {
        if ((gpa % size) == 0 && (hpa % size) == 0 && remaining >= size) return size;
    }
    return kPageSize;
}

// 4 KiB pages the builder takes from its pool for `regions` (sorted by gpa,
// disjoint, page aligned), rounded up to a multiple of 4 so that a pool shared
// by several partitions keeps every root 16 KiB aligned.
constexpr std::size_t pages_needed(std::span<const cfg::MemRegion> regions) {
    std::size_t pages = kRootPages;
    std::uint64_t last_l1 = ~0ULL;  // 1 GiB slot of the last level-1 table counted
    std::uint64_t last_l0 = ~0ULL;  // 2 MiB slot of the last level-0 table counted
    for (const cfg::MemRegion& region : regions) {
        std::uint64_t offset = 0;
        while (offset < region.size) {
            const std::uint64_t gpa = region.gpa + offset;
            const std::uint64_t size = leaf_size(gpa, region.hpa + offset, region.size - offset);
            if (size <= kMegaSize && (gpa / kGigaSize) != last_l1) {
                last_l1 = gpa / kGigaSize;
                ++pages;
            }
            if (size == kPageSize && (gpa / kMegaSize) != last_l0) {
                last_l0 = gpa / kMegaSize;
                ++pages;
            }
            offset += size;
        }
    }
    return (pages + 3) / 4 * 4;
}

// True when regions are sorted by gpa, pairwise disjoint, page aligned and
// inside the Sv39x4 guest-physical space: what pages_needed() and the
// builder rely on.
constexpr bool regions_well_formed(std::span<const cfg::MemRegion> regions) {
    std::uint64_t previous_end = 0;
    for (const cfg::MemRegion& region : regions) {
        if (region.size == 0 || region.gpa % kPageSize || region.hpa % kPageSize ||
            region.size % kPageSize)
            return false;
        if (region.gpa < previous_end) return false;
        if (region.gpa + region.size > kGuestPhysLimit || region.gpa + region.size < region.gpa)
            return false;
        previous_end = region.gpa + region.size;
    }
    return true;
}

// Leaf permissions for a region: guests need X on their RAM; device
// registers are never executable. U is mandatory on stage-2 leaves.
constexpr std::uint64_t leaf_permissions(cfg::MemKind kind) {
    const std::uint64_t common = pte::V | pte::R | pte::W | pte::U | pte::A | pte::D;
    return kind == cfg::MemKind::Ram ? (common | pte::X) : common;
}

// Builds the tables for `regions` into `pool` (whose first kRootPages pages
// are the root). Tables are addressed by their host address, which in HS-mode
// (satp bare) is their physical address. Returns the number of pages used, or
// 0 if the pool was too small (nothing the generated configuration allows).
std::size_t build_stage2(std::span<PageTable> pool, std::span<const cfg::MemRegion> regions);

// Walks the tables as the hardware would. Returns true and the host-physical
// address and leaf permissions of `gpa` when it is mapped.
bool translate_stage2(const PageTable* root, std::uint64_t gpa, std::uint64_t& hpa,
                      std::uint64_t& permissions);

}  // namespace tessera::mm
