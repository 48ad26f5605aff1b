#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "mm/stage2.hpp"

using tessera::cfg::MemKind;
using tessera::cfg::MemRegion;
namespace mm = tessera::mm;

namespace {

struct Pool {
    // 16 KiB alignment for the root, as the hypervisor's pool has.
    alignas(16384) std::array<mm::PageTable, 64> pages{};
    std::span<mm::PageTable> span(std::size_t count) { return std::span(pages).first(count); }
};

void expect_maps(const mm::PageTable* root, std::uint64_t gpa, std::uint64_t hpa,
                 std::uint64_t permissions) {
    std::uint64_t got_hpa = 0, got_permissions = 0;
    REQUIRE(mm::translate_stage2(root, gpa, got_hpa, got_permissions));
    CHECK(got_hpa == hpa);
    CHECK(got_permissions == permissions);
}

constexpr std::uint64_t kRam = mm::pte::V | mm::pte::R | mm::pte::W | mm::pte::X | mm::pte::U |
                               mm::pte::A | mm::pte::D;
constexpr std::uint64_t kMmio = kRam & ~mm::pte::X;

}  // namespace

TEST_CASE("leaf size follows the alignment of both addresses and the remaining size") {
    CHECK(mm::leaf_size(0x80000000, 0x80000000, 1ULL << 30) == mm::kGigaSize);
    CHECK(mm::leaf_size(0x80000000, 0x88000000, 1ULL << 30) == mm::kMegaSize);
    CHECK(mm::leaf_size(0x80000000, 0x88001000, 1ULL << 30) == mm::kPageSize);
    CHECK(mm::leaf_size(0x80000000, 0x80000000, 0x1000) == mm::kPageSize);
}

TEST_CASE("pages_needed counts root, level-1 and level-0 tables, rounded to 4") {
    const MemRegion mega_aligned[] = {{0x80000000, 0x88000000, 64ULL << 20, MemKind::Ram}};
    CHECK(mm::pages_needed(mega_aligned) == 8);  // 4 + 1 level-1 -> 8
    const MemRegion giga[] = {{0x40000000, 0x40000000, 1ULL << 30, MemKind::Ram}};
    CHECK(mm::pages_needed(giga) == 4);
    const MemRegion one_page[] = {{0x10000000, 0x10000000, 0x1000, MemKind::Mmio}};
    CHECK(mm::pages_needed(one_page) == 8);  // 4 + 1 + 1 -> 8
    // Many 4 KiB pages spread over 2 MiB slots in two different 1 GiB slots.
    const MemRegion spread[] = {
        {0x10000000, 0x10000000, 0x1000, MemKind::Mmio},
        {0x10200000, 0x10200000, 0x1000, MemKind::Mmio},
        {0x10400000, 0x10400000, 0x1000, MemKind::Mmio},
        {0x80000000, 0x90000000, 0x201000, MemKind::Ram},
    };
    // root 4 + L1 {0, 2} + L0 {0x80, 0x81, 0x82, 0x400 + 1} = 4 + 2 + 4 = 10 -> 12
    CHECK(mm::pages_needed(spread) == 12);
}

TEST_CASE("the builder uses exactly pages_needed and maps every byte with the right rights") {
    const MemRegion regions[] = {
        {0x10000000, 0x10000000, 0x1000, MemKind::Mmio},
        {0x80000000, 0x88000000, 64ULL << 20, MemKind::Ram},
        {0xC0000000, 0xC0001000, 0x3000, MemKind::Ram},
    };
    Pool pool;
    const std::size_t needed = mm::pages_needed(regions);
    const std::size_t used = mm::build_stage2(pool.span(needed), regions);
    CHECK(used > 0);
    CHECK(used <= needed);
    CHECK(needed - used < 4);  // only the rounding is spare
    const mm::PageTable* root = pool.pages.data();
    expect_maps(root, 0x10000000, 0x10000000, kMmio);
    expect_maps(root, 0x10000ffc, 0x10000ffc, kMmio);
    expect_maps(root, 0x80000000, 0x88000000, kRam);
    expect_maps(root, 0x83ffffff, 0x8bffffff, kRam);
    expect_maps(root, 0x80123456, 0x88123456, kRam);
    expect_maps(root, 0xC0002abc, 0xC0003abc, kRam);

    std::uint64_t hpa = 0, permissions = 0;
    CHECK_FALSE(mm::translate_stage2(root, 0x84000000, hpa, permissions));  // just past RAM
    CHECK_FALSE(mm::translate_stage2(root, 0x7ffff000, hpa, permissions));  // just before
    CHECK_FALSE(mm::translate_stage2(root, 0x10001000, hpa, permissions));  // next to the MMIO page
    CHECK_FALSE(mm::translate_stage2(root, 0xC0003000, hpa, permissions));
    CHECK_FALSE(mm::translate_stage2(root, 1ULL << 41, hpa, permissions));  // beyond Sv39x4
}

TEST_CASE("a 1 GiB-aligned region is one gigapage leaf in the root, with no other table") {
    const MemRegion regions[] = {{0x40000000, 0x80000000, 1ULL << 30, MemKind::Ram},
                                 {0x80000000, 0x100000000, 0x1000, MemKind::Mmio}};
    Pool pool;
    const std::size_t needed = mm::pages_needed(regions);
    CHECK(needed == 8);  // root 4 + 1 level-1 + 1 level-0 for the page, rounded
    CHECK(mm::build_stage2(pool.span(needed), regions) == 6);
    const mm::PageTable* root = pool.pages.data();
    expect_maps(root, 0x40000000, 0x80000000, kRam);
    expect_maps(root, 0x7fffffff, 0xbfffffff, kRam);
    expect_maps(root, 0x80000ffc, 0x100000ffc, kMmio);
    // The gigapage is a leaf in the root (entry 1): nothing below it.
    const std::uint64_t entry = pool.pages[0].entry[1];
    CHECK((entry & (mm::pte::R | mm::pte::W | mm::pte::X)) != 0);
    CHECK((entry >> mm::pte::kPpnShift) == 0x80000000 / mm::kPageSize);
    std::uint64_t hpa = 0, permissions = 0;
    CHECK_FALSE(mm::translate_stage2(root, 0x3ffff000, hpa, permissions));
    CHECK_FALSE(mm::translate_stage2(root, 0x80001000, hpa, permissions));
}

TEST_CASE("a page under an existing 2 MiB leaf is refused, the leaf's memory left alone") {
    // Overlapping regions (regions_well_formed() refuses them; the generated
    // configuration static_asserts it): the builder must not take the 2 MiB
    // leaf for a table and write an entry into the guest RAM it maps.
    constexpr std::size_t kMega = mm::kMegaSize;
    std::unique_ptr<std::uint8_t, decltype(&std::free)> ram(
        static_cast<std::uint8_t*>(std::aligned_alloc(kMega, kMega)), &std::free);
    REQUIRE(ram != nullptr);
    std::memset(ram.get(), 0, kMega);
    const auto host = reinterpret_cast<std::uintptr_t>(ram.get());
    const MemRegion regions[] = {{0x80000000, host, kMega, MemKind::Ram},
                                 {0x80001000, 0x10000000, 0x1000, MemKind::Mmio}};
    CHECK_FALSE(mm::regions_well_formed(regions));
    Pool pool;
    CHECK(mm::build_stage2(pool.span(16), regions) == 0);
    CHECK(std::all_of(ram.get(), ram.get() + kMega, [](std::uint8_t byte) { return byte == 0; }));
}

TEST_CASE("a pool one page short is refused instead of overflowing") {
    const MemRegion regions[] = {{0x10000000, 0x10000000, 0x1000, MemKind::Mmio}};
    Pool pool;
    CHECK(mm::build_stage2(pool.span(5), regions) == 0);  // needs 6 (root 4 + 1 + 1)
    CHECK(mm::build_stage2(pool.span(6), regions) == 6);
    CHECK(mm::build_stage2(pool.span(3), regions) == 0);  // not even a root
}

TEST_CASE("regions_well_formed rejects what the builder can't take") {
    const MemRegion unsorted[] = {{0x90000000, 0x90000000, 0x1000, MemKind::Ram},
                                  {0x80000000, 0x80000000, 0x1000, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(unsorted));
    const MemRegion overlapping[] = {{0x80000000, 0x80000000, 0x2000, MemKind::Ram},
                                     {0x80001000, 0x90000000, 0x1000, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(overlapping));
    const MemRegion misaligned[] = {{0x80000800, 0x80000000, 0x1000, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(misaligned));
    const MemRegion too_high[] = {{(1ULL << 41) - 0x1000, 0x80000000, 0x2000, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(too_high));
    const MemRegion host_misaligned[] = {{0x80000000, 0x80000800, 0x1000, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(host_misaligned));
    const MemRegion partial_page[] = {{0x80000000, 0x80000000, 0x1800, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(partial_page));
    const MemRegion empty[] = {{0x80000000, 0x80000000, 0, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(empty));
    const MemRegion wraps[] = {{0x80000000, 0x80000000, ~0ULL - 0xfff, MemKind::Ram}};
    CHECK_FALSE(mm::regions_well_formed(wraps));  // gpa + size wraps past 2^64
    const MemRegion fine[] = {{0x80000000, 0x88000000, 0x4000000, MemKind::Ram}};
    CHECK(mm::regions_well_formed(fine));
}
