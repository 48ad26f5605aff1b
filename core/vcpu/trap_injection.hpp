// Delivers an exception to the guest as the hardware would have, had it been
// delegated: VS-mode takes it at vstvec with vsepc, vscause and vstval set.
#pragma once

#include <cstdint>

#include "vcpu/vcpu_context.hpp"

namespace tessera {

// Injects exception `cause` with `tval` into the vCPU's guest. An exception
// raised at the guest's own trap vector (the guest can't take exceptions at
// all: its handler faults, or it has none) would repeat forever; that double
// trap stops the partition instead.
void inject_guest_exception(VcpuContext& vcpu, std::uint64_t cause, std::uint64_t tval);

// A virtual-instruction exception (an HS or VS CSR, an H-extension
// instruction) becomes the illegal instruction real hardware without H
// raises, with stval = the instruction's bits, read from the guest's memory
// (QEMU 7.2 leaves a stale stval for HLV/HSV/HLVX: the bits of an earlier
// illegal instruction). If the read faults, the guest retries the
// instruction instead.
void inject_virtual_instruction_as_illegal(VcpuContext& vcpu);

// After a read of the guest's instruction faulted in HS-mode (overwriting
// the trap CSRs of the guest's exit): puts back what returning to the guest
// at `sepc`, in the mode it trapped from, needs; the guest then retries.
void restore_trap_after_fetch_fault(std::uint64_t sepc);

}  // namespace tessera
