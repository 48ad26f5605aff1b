// The register file a fuzz operation starts with, and the values CSR writes
// use. Registers point where a load, store or jump through them is
// harmless to the fuzzer itself but interesting to the hypervisor: the
// arena, the emulated PLIC and 16550 (MMIO exits; in VU-mode also through
// kDeviceAlias), guest-physical addresses
// the partition has no memory at (injected access faults), small numbers,
// random values; in VU-mode also the guest's own supervisor pages (page
// faults). Never the guest's own image, stack, page tables or marker in
// VS-mode, where nothing would stop a store.
//
// No value has 8, 9 or 10 in bits 63:60, the Sv39/48/57 satp modes: a CSR
// write to satp must not turn on translation through a random root table,
// which would end the guest (legitimately) at its next instruction fetch.
#pragma once

#include <cstdint>

#include "layout.hpp"
#include "prng.hpp"

namespace trapfuzz {

// `value` with bits 63:60 moved off the satp paging modes 8-10 (to 12-14).
constexpr std::uint64_t without_paging_mode(std::uint64_t value) {
    const std::uint64_t mode = value >> 60;
    return mode >= 8 && mode <= 10 ? value ^ (1ULL << 62) : value;
}

// A value for a CSR write or a register: random, small, a single bit, all
// ones, an address the fuzzer knows.
std::uint64_t random_value(Prng& rng, const Layout& layout, Mode mode);

// regs[1..31] for an instruction word (regs[0] = 0).
void random_registers(Prng& rng, const Layout& layout, Mode mode, std::uint64_t regs[32]);

// A load or store shaped like a driver's access to an emulated device
// register (mostly 32-bit for the PLIC, 8-bit for the 16550, sometimes any
// width; full-size or compressed), with its base register in `regs` set so
// that it hits a register: the MMIO emulation's common path, with random
// values and destinations.
Word device_access(Prng& rng, const Layout& layout, Mode mode, std::uint64_t regs[32]);

}  // namespace trapfuzz
