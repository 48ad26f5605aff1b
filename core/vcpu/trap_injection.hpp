// Delivers an exception to the guest as the hardware would have, had it been
// delegated: VS-mode takes it at vstvec with vsepc, vscause and vstval set.
#pragma once

#include <cstdint>

#include "arch/riscv/csr.hpp"

namespace tessera {

inline void inject_guest_exception(std::uint64_t cause, std::uint64_t tval) {
    using namespace arch;
    namespace bits = sstatus_bits;
    // sstatus.SPP tells whether the guest trapped from VS (1) or VU (0).
    const std::uint64_t from = csr_read<csr::sstatus>() & bits::SPP;
    std::uint64_t vsstatus = csr_read<csr::vsstatus>();
    const std::uint64_t previous_enable = (vsstatus & bits::SIE) != 0 ? bits::SPIE : 0;
    vsstatus = (vsstatus & ~(bits::SPP | bits::SPIE | bits::SIE)) | from | previous_enable;
    csr_write<csr::vsstatus>(vsstatus);
    csr_write<csr::vscause>(cause);
    csr_write<csr::vstval>(tval);
    csr_write<csr::vsepc>(csr_read<csr::sepc>());
    csr_write<csr::sepc>(csr_read<csr::vstvec>() & ~3ULL);  // exceptions use the base
    csr_set<csr::sstatus>(bits::SPP);                      // the handler runs in VS-mode
}

}  // namespace tessera
