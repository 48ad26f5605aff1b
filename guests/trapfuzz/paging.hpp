// VU-mode translation (Sv39, built by the fuzzer) and the part of it the
// fuzzer rewrites at random before some VU-mode words: the GiB at
// kFuzzedVa goes through a level-1 table and two level-0 tables whose first
// entries get random contents each time (invalid entries, leaves with any
// permission bits and sometimes reserved bits, misaligned superpages, and
// next-level pointers to the level-0 tables or to guest-physical addresses
// without RAM: the page-table walk itself then faults, which the hypervisor
// sees as a guest-page fault of an implicit access).
//
// What a fuzzed entry may point at is limited to what a user-mode access
// may harmlessly reach: the arena's refilled window, the emulated devices,
// guest-physical addresses with nothing behind them and the fuzzed tables
// themselves; never the fuzzer's image or the arena's landing pads.
#pragma once

#include <cstdint>

#include "layout.hpp"
#include "prng.hpp"

namespace trapfuzz {

inline constexpr std::uint64_t kFuzzedVa = 0x2'0000'0000;

// The satp value of the VU-mode tables (built once).
std::uint64_t build_vu_tables(const Layout& layout);

// Random contents for the fuzzed entries (the caller fences).
void randomize_fuzzed_tables(Prng& rng, const Layout& layout);

// A virtual address in the fuzzed GiB, behind one of the randomized entries.
std::uint64_t fuzzed_address(Prng& rng);

// Whether the page-table walk for `va` reads a next-level table outside
// RAM: then any access there must end in an access fault (the implicit
// read faults before anything else is looked at).
bool walk_leaves_ram(const Layout& layout, std::uint64_t va);

}  // namespace trapfuzz
