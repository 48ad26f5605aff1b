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

// A passthrough device interrupt: the device raises host_irq on the physical
// PLIC; the guest sees it as guest_irq on its virtual PLIC.
struct IrqRoute {
    std::uint32_t host_irq;
    std::uint32_t guest_irq;
};

// Devices the hypervisor emulates inside a partition (guest-physical windows
// that are left unmapped in stage 2, so every access traps).
enum class EmulatedKind : std::uint8_t {
    Plic,     // virtual PLIC, QEMU virt layout: context 2i = vhart i M-mode (inert), 2i+1 = S-mode
    Ns16550,  // 16550 UART, reg-shift 0, byte registers, backed by the hypervisor console
};

struct EmulatedDevice {
    EmulatedKind kind;
    std::uint64_t gpa;      // base of the register window (4 KiB aligned)
    std::uint64_t size;     // window size (multiple of 4 KiB)
    std::uint32_t irq;      // Ns16550: its source on the partition's virtual PLIC, 0 = none
    std::uint32_t sources;  // Plic: riscv,ndev (highest valid source id); 0 for other kinds
};

// Passthrough interrupts a partition may have (core/scenario/storage.cpp
// checks the generated tables against it).
inline constexpr std::size_t kMaxPassthroughIrqs = 32;

// What a fault that real hardware would make fatal for the guest (a double
// trap, a watchdog that expired) does to its partition.
enum class FaultPolicy : std::uint8_t { Stop, Restart };

struct PartitionSpec {
    const char* name;
    std::uint16_t vmid;
    std::span<const std::uint32_t> harts;  // index = virtual hart id, value = physical hart id
    std::span<const MemRegion> regions;    // sorted by gpa, pairwise disjoint
    std::span<const LoadChunk> loads;
    std::uint64_t entry_gpa;
    std::uint64_t dtb_gpa;
    std::size_t stage2_pages;  // 4 KiB pages for the stage-2 tables (root included), multiple of 4
    std::span<const EmulatedDevice> emulated;  // sorted by gpa, disjoint from regions
    std::span<const IrqRoute> irqs;            // passthrough interrupts, sorted by host_irq
    bool sstc;  // the guest's ISA string has Sstc: it programs vstimecmp itself
    FaultPolicy fault_policy;   // what a fatal fault of the guest does to its partition
    std::uint32_t watchdog_ms;  // 0: none; else the guest must kick it this often
};

// The physical interrupt controller (SiFive PLIC, QEMU virt context layout:
// context 2h = hart h M-mode, 2h+1 = hart h S-mode).
struct PlicDevice {
    std::uint64_t base;  // 0: the platform has no PLIC
    std::uint32_t sources;  // riscv,ndev
};

enum class ConsoleKind : std::uint8_t { Ns16550, SifiveUart };

struct ConsoleDevice {
    ConsoleKind kind;
    std::uint64_t base;
    std::uint32_t reg_shift;     // register stride is 1 << reg_shift bytes (ns16550)
    std::uint32_t clock_hz;      // 0: leave the divisor as firmware set it
    std::uint32_t irq;           // receive interrupt on the PLIC; 0: input is only polled
};

enum class PoweroffKind : std::uint8_t { SifiveTest, None };

struct PoweroffDevice {
    PoweroffKind kind;
    std::uint64_t base;
};

}  // namespace tessera::cfg
