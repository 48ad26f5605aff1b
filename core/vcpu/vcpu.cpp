#include "vcpu/vcpu.hpp"

#include "arch/riscv/csr.hpp"
#include "arch/riscv/sbi_client.hpp"
#include "lib/text.hpp"
#include "partition/guest_memory.hpp"
#include "platform_api.hpp"
#include "sbi/guest_sbi.hpp"
#include "scenario/scenario.hpp"

extern "C" [[noreturn]] void tessera_enter_guest(tessera::VcpuContext* vcpu);

namespace tessera {
namespace {

using namespace arch;

// Exceptions the guest handles itself, with no hypervisor exit.
constexpr std::uint64_t kDelegatedExceptions =
    (1ULL << cause::INSN_MISALIGNED) | (1ULL << cause::INSN_ACCESS) |
    (1ULL << cause::ILLEGAL_INSN) | (1ULL << cause::BREAKPOINT) |
    (1ULL << cause::LOAD_MISALIGNED) | (1ULL << cause::LOAD_ACCESS) |
    (1ULL << cause::STORE_MISALIGNED) | (1ULL << cause::STORE_ACCESS) |
    (1ULL << cause::ECALL_U) | (1ULL << cause::INSN_PAGE_FAULT) |
    (1ULL << cause::LOAD_PAGE_FAULT) | (1ULL << cause::STORE_PAGE_FAULT);

constexpr std::uint64_t kDelegatedInterrupts = irq_bits::VSSIP | irq_bits::VSTIP | irq_bits::VSEIP;

// The SBI environment of one calling vCPU.
class GuestSbiEnv {
public:
    explicit GuestSbiEnv(VcpuContext& vcpu) : vcpu_(vcpu) {}

    void console_write(std::span<const std::uint8_t> bytes) {
        scenario_runtime().console.write(vcpu_.partition->index, bytes);
    }
    int console_read_byte() { return -1; }  // input focus arrives with the multi-partition console
    std::uint8_t* guest_ram(std::uint64_t gpa, std::uint64_t length) {
        const std::uint64_t host = guest_ram_to_host(vcpu_.partition->spec->regions, gpa, length);
        return reinterpret_cast<std::uint8_t*>(host);
    }
    std::uint64_t firmware_base_value(std::uint64_t fid) {
        const SbiRet ret = firmware_call(sbi::ext::BASE, fid);
        return ret.error == 0 ? ret.value : 0;
    }

private:
    VcpuContext& vcpu_;
};

void handle_ecall(VcpuContext& vcpu) {
    std::uint64_t* x = vcpu.gpr;
    const sbi::Call call{x[reg::a7], x[reg::a6],
                         {x[reg::a0], x[reg::a1], x[reg::a2], x[reg::a3], x[reg::a4], x[reg::a5]}};
    GuestSbiEnv env(vcpu);
    const sbi::Outcome outcome = sbi::handle_sbi(call, env);
    if (outcome.action == sbi::Action::ShutdownPartition) {
        const bool failed = outcome.reason != sbi::srst::REASON_NONE;
        partition_stop(*vcpu.partition, failed,
                       failed ? "SBI system reset (shutdown, failure)" : "SBI system reset (shutdown)");
    }
    x[reg::a0] = static_cast<std::uint64_t>(outcome.error);
    if (!outcome.legacy) x[reg::a1] = outcome.value;
    vcpu.sepc += 4;
}

[[noreturn]] void stop_on_unhandled(VcpuContext& vcpu, std::uint64_t scause) {
    Line why;
    why << "unhandled trap scause=" << hex(scause) << " sepc=" << hex(vcpu.sepc)
        << " stval=" << hex(csr_read<csr::stval>()) << " htval=" << hex(csr_read<csr::htval>());
    partition_stop(*vcpu.partition, true, why.view());
}

}  // namespace

void vcpu_start(VcpuContext& vcpu) {
    const Partition& partition = *vcpu.partition;
    csr_write<csr::hedeleg>(kDelegatedExceptions);
    csr_write<csr::hideleg>(kDelegatedInterrupts);
    csr_write<csr::hcounteren>(0xffffffff);
    csr_write<csr::hvip>(0);
    csr_write<csr::hie>(0);
    csr_write<csr::vsatp>(0);
    csr_write<csr::vstvec>(0);
    csr_write<csr::vsscratch>(0);
    csr_write<csr::vsie>(0);
    csr_clear<csr::vsstatus>(sstatus_bits::SIE);
    csr_write<csr::hgatp>(partition.hgatp());
    hfence_gvma_all();
    csr_clear<csr::hstatus>(hstatus_bits::VTW | hstatus_bits::VTSR | hstatus_bits::VTVM |
                            hstatus_bits::HU);
    csr_set<csr::hstatus>(hstatus_bits::SPV | hstatus_bits::SPVP);
    csr_clear<csr::sstatus>(sstatus_bits::SPIE);
    csr_set<csr::sstatus>(sstatus_bits::SPP);
    vcpu.gpr[reg::a0] = vcpu.vhart;
    vcpu.gpr[reg::a1] = partition.spec->dtb_gpa;
    vcpu.sepc = partition.spec->entry_gpa;
    fence_i();  // the image was written with stores; fetch must see it
    tessera_enter_guest(&vcpu);
}

}  // namespace tessera

extern "C" tessera::VcpuContext* tessera_handle_trap(tessera::VcpuContext* vcpu) {
    using namespace tessera::arch;
    const std::uint64_t scause = csr_read<csr::scause>();
    switch (scause) {
        case cause::ECALL_VS:
            tessera::handle_ecall(*vcpu);
            return vcpu;
        default:
            tessera::stop_on_unhandled(*vcpu, scause);
    }
}
