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

}  // namespace tessera
