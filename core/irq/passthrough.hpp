// Passthrough interrupts: a device's interrupt is taken in HS-mode from the
// physical PLIC, raised on the partition's virtual PLIC, and completed on
// the physical PLIC only when the guest completes it on the virtual one, so
// the device can't interrupt again before the guest has served it.
#pragma once

#include "partition/partition.hpp"
#include "vcpu/vcpu_context.hpp"

namespace tessera {

// Affinity: each source is enabled on the physical PLIC context of the hart
// that runs the virtual hart the guest enabled it for
// (VirtualPlic::first_enabled_vhart), so it arrives where the guest takes
// it, with no IPI; a source the guest enabled nowhere stays disabled
// (pending in the PLIC's gateway until it is enabled).

// Gives the partition's sources their priority and routes them (at boot and
// restart).
void passthrough_irqs_attach(Partition& partition);

// Moves sources whose route changed after the guest wrote its virtual
// PLIC's enables, thresholds or priorities. Call with the devices lock held.
void passthrough_irqs_reroute(Partition& partition);

// Disables the partition's sources and completes any the guest still holds
// (when it stops or restarts).
void passthrough_irqs_detach(Partition& partition);

// A supervisor external interrupt on the vCPU's hart: claim every pending
// source and raise it on the owner's virtual PLIC.
void passthrough_irqs_take(VcpuContext& vcpu);

// The guest completed `guest_irq` on its virtual PLIC: complete the physical
// source if it is a passthrough one. Call with the devices lock held.
void passthrough_irq_completed(Partition& partition, std::uint32_t guest_irq);

// After the virtual PLIC changed: sets or clears VSEIP on this hart and
// asks those of the partition's other harts whose VSEIP changed (running or
// suspended ones) to re-evaluate theirs. A change that concerns only this
// hart, like a passthrough interrupt routed here or a claim, sends no IPI.
void signal_virtual_plic(VcpuContext& vcpu);
// The same from a hart outside the partition (console input): every hart
// whose VSEIP changed is asked.
void signal_virtual_plic(Partition& partition);

}  // namespace tessera
