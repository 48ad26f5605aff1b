// Reading the guest's instruction at an address from HS-mode
// (guest_instruction.S): its bits, or kUnreadable when the read faulted
// (another hart of the guest changed its page tables meanwhile).
#pragma once

#include <cstdint>

extern "C" std::uint64_t tessera_read_guest_instruction(std::uint64_t address);

namespace tessera::arch {

inline constexpr std::uint64_t kUnreadable = ~0ULL;

inline std::uint64_t read_guest_instruction(std::uint64_t address) {
    return tessera_read_guest_instruction(address);
}

}  // namespace tessera::arch
