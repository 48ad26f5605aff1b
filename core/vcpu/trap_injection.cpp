#include "vcpu/trap_injection.hpp"

#include "arch/riscv/csr.hpp"
#include "arch/riscv/guest_fetch.hpp"
#include "lib/text.hpp"
#include "partition/partition.hpp"

namespace tessera {

void inject_guest_exception(VcpuContext& vcpu, std::uint64_t cause, std::uint64_t tval) {
    using namespace arch;
    namespace bits = sstatus_bits;
    const std::uint64_t sepc = csr_read<csr::sepc>();
    const std::uint64_t vector = csr_read<csr::vstvec>() & ~3ULL;  // exceptions use the base
    if (sepc == vector) {
        Line why;
        why << "double trap: exception " << hex(cause) << " (tval " << hex(tval)
            << ") at the guest's trap vector " << hex(vector);
        partition_fault(vcpu, why.view());
    }
    // sstatus.SPP tells whether the guest trapped from VS (1) or VU (0).
    const std::uint64_t from = csr_read<csr::sstatus>() & bits::SPP;
    std::uint64_t vsstatus = csr_read<csr::vsstatus>();
    const std::uint64_t previous_enable = (vsstatus & bits::SIE) != 0 ? bits::SPIE : 0;
    vsstatus = (vsstatus & ~(bits::SPP | bits::SPIE | bits::SIE)) | from | previous_enable;
    csr_write<csr::vsstatus>(vsstatus);
    csr_write<csr::vscause>(cause);
    csr_write<csr::vstval>(tval);
    csr_write<csr::vsepc>(sepc);
    csr_write<csr::sepc>(vector);
    csr_set<csr::sstatus>(bits::SPP);  // the handler runs in VS-mode
}

void inject_virtual_instruction_as_illegal(VcpuContext& vcpu) {
    using namespace arch;
    const std::uint64_t sepc = csr_read<csr::sepc>();
    std::uint32_t bits = 0;
    if (!tessera_read_guest_instruction(sepc, &bits)) {
        restore_trap_after_fetch_fault(sepc);
        return;
    }
    inject_guest_exception(vcpu, cause::ILLEGAL_INSN, bits);
}

void restore_trap_after_fetch_fault(std::uint64_t sepc) {
    using namespace arch;
    // hstatus.SPVP is written only by traps from a guest: it still says
    // whether the guest ran in VS (1) or VU (0).
    const bool from_vs = (csr_read<csr::hstatus>() & hstatus_bits::SPVP) != 0;
    csr_set<csr::hstatus>(hstatus_bits::SPV);
    if (from_vs) {
        csr_set<csr::sstatus>(sstatus_bits::SPP);
    } else {
        csr_clear<csr::sstatus>(sstatus_bits::SPP);
    }
    csr_write<csr::sepc>(sepc);
}

}  // namespace tessera
