// The state of one virtual hart: the register file as the trap path saves
// it, and what other harts may ask of it. entry.S addresses the first fields
// by the offsets checked below.
//
// The trap path saves the guest's caller-saved registers (ra, sp, t0-t6,
// a0-a7) on every exit and reloads them on every return: the C++ handlers
// preserve the others. Exits other than an SBI call also save gp, tp and
// s0-s11, so that a handler can read any register; a handler that changes
// one of those sets restore_all, and the return path then reloads them too.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "arch/riscv/mmio_decoder.hpp"

namespace tessera {

struct Partition;
enum class TimerMode : std::uint8_t;  // vcpu/host_timer.hpp

struct VcpuContext {
    std::uint64_t gpr[32];       // x0..x31 of the guest; gpr[0] is unused
    std::uint64_t sepc;          // where the guest starts: used by tessera_enter_guest only
    std::uint64_t hv_stack_top;  // this hart's hypervisor stack, reloaded on every trap
    std::uint64_t restore_all;   // non-zero: reload gp, tp, s0-s11 from gpr[] on return
    // Not touched by the assembly:
    Partition* partition;
    std::uint32_t vhart;      // virtual hart id inside the partition
    std::uint32_t phys_hart;  // physical hart running it

    // Cross-hart requests (see vcpu/hart_requests.hpp). 32/64-bit atomics
    // are native AMOs on RV64.
    std::atomic<std::uint32_t> hsm_state;   // sbi::hsm_state::*
    std::atomic<std::uint32_t> requests;    // hart_requests::* bits
    std::atomic<std::uint64_t> fences_requested;
    std::atomic<std::uint64_t> fences_completed;
    std::uint64_t start_addr;    // HSM hart_start arguments, valid in START_PENDING
    std::uint64_t start_opaque;

    // The hart's own timer (vcpu/host_timer.hpp): what it serves, and the
    // guest deadline it stands in for when it also checks a watchdog.
    TimerMode timer_mode;
    std::uint64_t guest_deadline;

    // The last instruction an MMIO exit decoded, and what it decoded to: a
    // driver polling a register exits with the same instruction again and
    // again. Keyed by the instruction bits (re-read at every exit), so it
    // can't go stale.
    std::uint32_t mmio_insn;
    arch::MmioAccess mmio_access;
    bool mmio_reg_caller_saved;  // is_caller_saved(mmio_access.reg)

    // Sets guest register `index` (x0 writes are dropped: gpr[0] stays 0).
    void set_gpr(unsigned index, std::uint64_t value) {
        if (index == 0) return;
        gpr[index] = value;
        if (!is_caller_saved(index)) restore_all = 1;
    }

    // The registers every exit saves and reloads: ra, sp, t0-t6, a0-a7, and
    // x0 (nothing to save: gpr[0] is not reloaded).
    static constexpr bool is_caller_saved(unsigned index) {
        constexpr std::uint32_t kMask = 0xf003fce7;  // x0-x2, x5-x7, x10-x17, x28-x31
        return index < 32 && ((kMask >> index) & 1) != 0;
    }
};

namespace vcpu_layout {
inline constexpr std::size_t kSepcOffset = 32 * sizeof(std::uint64_t);  // after gpr[32]
inline constexpr std::size_t kStackOffset = 33 * sizeof(std::uint64_t);
inline constexpr std::size_t kRestoreAllOffset = 34 * sizeof(std::uint64_t);
}  // namespace vcpu_layout

static_assert(offsetof(VcpuContext, gpr) == 0);
static_assert(offsetof(VcpuContext, sepc) == vcpu_layout::kSepcOffset);
static_assert(offsetof(VcpuContext, hv_stack_top) == vcpu_layout::kStackOffset);
static_assert(offsetof(VcpuContext, restore_all) == vcpu_layout::kRestoreAllOffset);

// General purpose register numbers used by the SBI calling convention.
namespace reg {
inline constexpr unsigned ra = 1, sp = 2, a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15,
                          a6 = 16, a7 = 17;
}

}  // namespace tessera
