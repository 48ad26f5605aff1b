// The attacks of the hostile guest, grouped by what they aim at. Each runs
// its attempts one at a time (attempt.hpp) and needs what the partition was
// told about the machine (Targets).
#pragma once

#include <cstdint>

#include "devices.hpp"

namespace hostile {

struct Range {
    std::uint64_t base = 0, size = 0;
    std::uint64_t end() const { return base + size; }
    bool contains(std::uint64_t address) const { return address - base < size; }
};

struct Targets {
    // The partition itself (its DT).
    Range own_ram;
    std::uint32_t harts = 0;
    std::uint64_t timebase = 0;  // ticks per second
    bool sstc = false;
    OwnDevices devices;
    std::uint64_t scratch = 0;  // a 64 KiB buffer of its own RAM (8-byte aligned)
    Range big_buffer;           // the upper half of its RAM, unused by its image

    // The machine around it (bootargs; the host DT and the other partition's DT).
    Range other_ram;           // the heartbeat partition's RAM in host memory
    std::uint64_t other_code;  // its code there
    Range hypervisor;          // the hypervisor's region: image, stacks, stage-2 tables
    Range firmware;            // OpenSBI
    std::uint64_t finisher, clint, uart, virtio;
    std::uint64_t attack_after_ms;  // how long to wait before the first attack

    std::uint64_t ticks_ms(std::uint64_t ms) const { return timebase * ms / 1000; }
};

void attack_memory(const Targets& targets);   // attacks_memory.cpp
void attack_paging(const Targets& targets);   // attacks_paging.cpp
void attack_mmio(const Targets& targets);     // attacks_mmio.cpp
void attack_cpu(const Targets& targets);      // attacks_cpu.cpp
void attack_sbi(const Targets& targets);      // attacks_sbi.cpp
void attack_hsm(const Targets& targets);      // attacks_hsm.cpp
void attack_storms(const Targets& targets);   // attacks_storms.cpp

}  // namespace hostile
