// Guest accesses to the devices the hypervisor emulates (virtual PLIC,
// virtual 16550): a load/store guest-page fault inside one of the
// partition's emulated windows is decoded and served here.
#pragma once

#include <cstdint>

#include "vcpu/vcpu_context.hpp"

namespace tessera {

// entry.S serves a load or store guest-page fault (scause 21 or 23) by
// fetching the faulting instruction itself (HLVX, with a private trap
// vector) unless htinst gives it, and calling
//   VcpuContext* tessera_handle_mmio_exit(vcpu, scause, insn, source, sepc, all_saved)
// source says where insn came from (the constants below, mirrored in
// entry.S). The access is emulated and the guest resumes after it, or, when
// it hits nothing the partition has, the guest gets the access fault real
// hardware would raise. With all_saved 0 only the guest's caller-saved
// registers are in vcpu.gpr; the handler then returns the vcpu pointer with
// kNeedsAllRegisters set when the access names another register, and
// entry.S saves the rest and calls it again with all_saved 1.
namespace mmio_exit {
inline constexpr std::uint64_t kFetched = 0;       // insn: read from guest memory
inline constexpr std::uint64_t kTransformed = 1;   // insn: htinst
inline constexpr std::uint64_t kFetchFaulted = 2;  // the read faulted: trap CSRs overwritten
inline constexpr std::uintptr_t kNeedsAllRegisters = 1;
}  // namespace mmio_exit

}  // namespace tessera
