// What one hart asks of another hart of the same partition: raise the
// guest's software interrupt, fence, start from HSM, re-read the virtual
// PLIC, or park. The request bits live in the target's VcpuContext; a
// physical IPI (through the SBI firmware) makes the target look at them.
#pragma once

#include <cstdint>

#include "sbi/guest_sbi.hpp"
#include "vcpu/vcpu_context.hpp"

namespace tessera {

namespace request {
inline constexpr std::uint32_t VSSIP = 1U << 0;  // raise the guest's supervisor software interrupt
inline constexpr std::uint32_t FENCE = 1U << 1;  // fence.i + hfence.vvma, then acknowledge
inline constexpr std::uint32_t START = 1U << 2;  // HSM start (or resume) at start_addr
inline constexpr std::uint32_t VSEIP = 1U << 3;  // the virtual PLIC changed: re-evaluate VSEIP
inline constexpr std::uint32_t PARK = 1U << 4;   // the partition stops: leave the guest
}  // namespace request

// The vCPU of virtual hart `vhart` of the caller's partition.
VcpuContext& partition_vcpu(const VcpuContext& any, std::uint32_t vhart);

// Posts `bits` to `target` and interrupts its hart (the caller's own
// requests are simply applied at its next exit).
void post_request(VcpuContext& target, std::uint32_t bits);

// Applies the requests posted to `self` (called on a supervisor software
// interrupt and while waiting). PARK does not return.
void serve_requests(VcpuContext& self);

// SBI RFENCE: fences on every virtual hart in `vharts` (bit i = vhart i),
// waiting until each has done it, as the SBI spec requires.
void remote_fence(VcpuContext& self, sbi::Fence kind, std::uint64_t vharts);

// SBI IPI: sets VSSIP on every virtual hart in `vharts`.
void send_guest_ipi(VcpuContext& self, std::uint64_t vharts);

// HSM: start a stopped virtual hart of the caller's partition.
std::int64_t hsm_start(const VcpuContext& self, std::uint32_t vhart, std::uint64_t addr,
                       std::uint64_t opaque);

// The calling hart leaves its guest and waits, serving requests, until HSM
// starts it again. Never returns (the vCPU re-enters the guest fresh).
[[noreturn]] void park_hart(VcpuContext& self);

}  // namespace tessera
