// Guest accesses to the devices the hypervisor emulates (virtual PLIC,
// virtual 16550): a load/store guest-page fault inside one of the
// partition's emulated windows is decoded and served here.
#pragma once

#include <cstdint>

#include "vcpu/vcpu_context.hpp"

namespace tessera {

// Serves a load or store guest-page fault (scause 21 or 23): the access is
// emulated and the guest resumes after it, or, when it hits nothing the
// partition has, the guest gets the access fault real hardware would raise.
void handle_guest_page_fault(VcpuContext& vcpu, std::uint64_t scause);

}  // namespace tessera
