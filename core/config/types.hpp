// Types of the static configuration tables that tools/cfggen generates.
//
// The generated header (tessera_scenario.hpp, in the build tree) contains only
// constexpr data of these types; the storage that depends on it (stacks,
// stage-2 page-table pools) is declared by core/scenario_storage.cpp, which
// also static_asserts what the generator promises.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tessera::cfg {

enum class MemKind : std::uint8_t {
    Ram,   // guest RAM: R/W/X for the guest
    Mmio,  // passthrough device registers: R/W, never executable
};

// One contiguous guest-physical window backed by host-physical memory.
struct MemRegion {
    std::uint64_t gpa;
    std::uint64_t hpa;
    std::uint64_t size;
    MemKind kind;
};

// Bytes copied into a partition's RAM at boot: an ELF segment, a flat image
// or the guest DTB. mem_size >= file_size; the tail is zero-filled (.bss).
struct LoadChunk {
    const std::uint8_t* data;
    std::uint64_t file_size;
    std::uint64_t gpa;
    std::uint64_t mem_size;
};

struct PartitionSpec {
    const char* name;
    std::uint16_t vmid;
    std::span<const std::uint32_t> harts;  // index = virtual hart id, value = physical hart id
    std::span<const MemRegion> regions;    // sorted by gpa, pairwise disjoint
    std::span<const LoadChunk> loads;
    std::uint64_t entry_gpa;
    std::uint64_t dtb_gpa;
    std::size_t stage2_pages;  // 4 KiB pages for the stage-2 tables (root included), multiple of 4
};

enum class ConsoleKind : std::uint8_t { Ns16550, SifiveUart };

struct ConsoleDevice {
    ConsoleKind kind;
    std::uint64_t base;
    std::uint32_t reg_shift;     // register stride is 1 << reg_shift bytes (ns16550)
    std::uint32_t clock_hz;      // 0: leave the divisor as firmware set it
};

enum class PoweroffKind : std::uint8_t { SifiveTest, None };

struct PoweroffDevice {
    PoweroffKind kind;
    std::uint64_t base;
};

}  // namespace tessera::cfg
