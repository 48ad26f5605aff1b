// The vCPU: entering a guest, and what each kind of exit does.
#pragma once

#include <cstdint>

#include "vcpu/vcpu_context.hpp"

namespace tessera {

// Enters the vCPU's guest at `entry` in VS-mode with a0 = virtual hart id and
// a1 = `arg` (the DTB for a boot, the opaque value for an HSM start), with
// fresh CSR state: the state the SBI spec gives a hart that starts.
[[noreturn]] void vcpu_start(VcpuContext& vcpu, std::uint64_t entry, std::uint64_t arg);

// Resumes the vCPU's guest at `entry` as from a non-retentive suspend: a0 =
// virtual hart id, a1 = `arg`, satp = 0, SIE = 0; timers, pending and
// enabled interrupts stay as they are.
[[noreturn]] void vcpu_resume(VcpuContext& vcpu, std::uint64_t entry, std::uint64_t arg);

// The hart leaves its guest for good (stop, park): no timer, no pending
// virtual interrupt, only the software interrupt that can wake it.
void vcpu_quiesce(const VcpuContext& vcpu);

// Sets or clears the guest's external interrupt (hvip.VSEIP) from the level
// its partition's virtual PLIC last published for it (irq/passthrough.hpp's
// signal_virtual_plic). Must run on the vCPU's own hart.
void vcpu_update_external_interrupt(VcpuContext& vcpu);

}  // namespace tessera
