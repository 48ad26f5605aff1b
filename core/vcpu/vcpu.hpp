// Running a virtual hart: first entry into VS-mode and the trap dispatcher.
#pragma once

#include "vcpu/vcpu_context.hpp"

namespace tessera {

// Configures this hart's H-extension state for the vCPU's partition and
// enters the guest at its entry point (a0 = vhart id, a1 = DTB address).
[[noreturn]] void vcpu_start(VcpuContext& vcpu);

}  // namespace tessera

extern "C" tessera::VcpuContext* tessera_handle_trap(tessera::VcpuContext* vcpu);
