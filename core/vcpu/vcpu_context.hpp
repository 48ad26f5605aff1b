// The register file of one virtual hart, as the trap path saves it.
// entry.S addresses these fields by the offsets checked below.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tessera {

struct Partition;

struct VcpuContext {
    std::uint64_t gpr[32];       // x0..x31 of the guest; gpr[0] is unused
    std::uint64_t sepc;          // guest pc at the trap, and where it resumes
    std::uint64_t hv_stack_top;  // this hart's hypervisor stack, reloaded on every trap
    // Not touched by the assembly:
    Partition* partition;
    std::uint32_t vhart;      // virtual hart id inside the partition
    std::uint32_t phys_hart;  // physical hart running it
};

namespace vcpu_layout {
inline constexpr std::size_t kSepcOffset = 32 * 8;
inline constexpr std::size_t kStackOffset = 33 * 8;
}  // namespace vcpu_layout

static_assert(offsetof(VcpuContext, gpr) == 0);
static_assert(offsetof(VcpuContext, sepc) == vcpu_layout::kSepcOffset);
static_assert(offsetof(VcpuContext, hv_stack_top) == vcpu_layout::kStackOffset);

// General purpose register numbers used by the SBI calling convention.
namespace reg {
inline constexpr unsigned ra = 1, sp = 2, a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15,
                          a6 = 16, a7 = 17;
}

}  // namespace tessera
