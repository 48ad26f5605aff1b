// Running code in user mode, or in supervisor mode from a clean register
// file, and coming back (guests/common/lower_mode.S, which explains the
// contract). Link the guest with tessera_add_guest(... LOWER ...).
#pragma once

#include <cstdint>

namespace guest {

// sstatus bits that guest_enter_lower's `previous` argument takes.
inline constexpr std::uint64_t kPreviousSupervisor = 1ULL << 8;       // sstatus.SPP
inline constexpr std::uint64_t kPreviousInterruptsOn = 1ULL << 5;    // sstatus.SPIE

}  // namespace guest

extern "C" {
// Srets to `entry` with x1..x31 = regs[1..31] and sstatus.SPP/SPIE from
// `previous`; returns once something gets to guest_lower_return.
void guest_enter_lower(const std::uint64_t regs[32], std::uint64_t entry, std::uint64_t previous);
// Where a trap handler sends the lower code (sepc, with sstatus.SPP set) to
// end guest_enter_lower.
void guest_lower_return();
// The supervisor stack guest_enter_lower left (also in sscratch meanwhile).
extern std::uint64_t guest_lower_kernel_sp;
}
