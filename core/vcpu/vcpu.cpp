#include "vcpu/vcpu.hpp"

#include "arch/riscv/csr.hpp"
#include "arch/riscv/sbi_client.hpp"
#include "irq/passthrough.hpp"
#include "lib/text.hpp"
#include "partition/guest_memory.hpp"
#include "partition/partition.hpp"
#include "platform_api.hpp"
#include "sbi/guest_sbi.hpp"
#include "scenario/scenario.hpp"
#include "vcpu/emulated_devices.hpp"
#include "vcpu/hart_requests.hpp"
#include "vcpu/host_timer.hpp"
#include "vcpu/trap_injection.hpp"

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

// Interrupts the guest takes directly in VS-mode.
constexpr std::uint64_t kDelegatedInterrupts = irq_bits::VSSIP | irq_bits::VSTIP | irq_bits::VSEIP;

// HS-mode interrupts while a guest runs: IPIs from the partition's other
// harts and passthrough device interrupts. The timer is enabled on demand.
constexpr std::uint64_t kHypervisorInterrupts = sie_bits::SSIE | sie_bits::SEIE;

// The SBI environment of one calling vCPU.
class GuestSbiEnv {
public:
    explicit GuestSbiEnv(VcpuContext& vcpu) : vcpu_(vcpu) {}

    std::uint32_t vhart_count() const {
        return static_cast<std::uint32_t>(vcpu_.partition->spec->harts.size());
    }
    std::uint32_t self() const { return vcpu_.vhart; }
    void console_write(std::span<const std::uint8_t> bytes) {
        scenario_runtime().console.write(vcpu_.partition->index, bytes);
    }
    int console_read_byte() { return partition_console_read(vcpu_.partition->index); }
    std::uint8_t* guest_ram(std::uint64_t gpa, std::uint64_t length) {
        const std::uint64_t host = guest_ram_to_host(vcpu_.partition->spec->regions, gpa, length);
        if (host == 0) return nullptr;  // not all of it is the partition's RAM
        // NOLINTNEXTLINE(performance-no-int-to-ptr): the partition's RAM at its host address
        return reinterpret_cast<std::uint8_t*>(host);
    }
    std::uint64_t firmware_base_value(std::uint64_t fid) {
        const SbiRet ret = firmware_call(sbi::ext::BASE, fid);
        return ret.error == 0 ? ret.value : 0;
    }
    void set_timer(std::uint64_t stime_value) { host_timer_set_guest(vcpu_, stime_value); }
    bool watchdog_kick() { return tessera::watchdog_kick(vcpu_); }
    void send_ipi(std::uint64_t vharts) { send_guest_ipi(vcpu_, vharts); }
    void remote_fence(sbi::Fence kind, std::uint64_t vharts) {
        tessera::remote_fence(vcpu_, kind, vharts);
    }
    std::int64_t hart_start(std::uint32_t vhart, std::uint64_t addr, std::uint64_t opaque) {
        return hsm_start(vcpu_, vhart, addr, opaque);
    }
    std::uint32_t hart_status(std::uint32_t vhart) {
        return partition_vcpu(vcpu_, vhart).hsm_state.load();
    }
    void set_own_hart_status(std::uint32_t state) { vcpu_.hsm_state.store(state); }
    void suspend_retentive() {
        wait_for_interrupt();
        if (csr_read<csr::sip>() & sie_bits::SSIE) serve_requests(vcpu_);
    }

private:
    VcpuContext& vcpu_;
};

[[noreturn]] void stop_on_unhandled(VcpuContext& vcpu, std::uint64_t scause) {
    Line why;
    why << "unhandled trap scause=" << hex(scause) << " sepc=" << hex(csr_read<csr::sepc>())
        << " stval=" << hex(csr_read<csr::stval>()) << " htval=" << hex(csr_read<csr::htval>());
    partition_fault(vcpu, why.view());
}

// Enters the guest in VS-mode at `entry` with every register 0 but a0 = the
// virtual hart id and a1 = `arg`, as the SBI spec starts (and resumes) a hart.
[[noreturn]] void enter_guest_at(VcpuContext& vcpu, std::uint64_t entry, std::uint64_t arg) {
    csr_set<csr::hstatus>(hstatus_bits::SPV | hstatus_bits::SPVP);
    csr_set<csr::sstatus>(sstatus_bits::SPP);
    for (std::uint64_t& value : vcpu.gpr) value = 0;
    vcpu.gpr[reg::a0] = vcpu.vhart;
    vcpu.gpr[reg::a1] = arg;
    vcpu.sepc = entry;
    tessera_enter_guest(&vcpu);
}

}  // namespace

void vcpu_quiesce(const VcpuContext& vcpu) {
    csr_write<csr::sie>(sie_bits::SSIE);
    csr_write<csr::hvip>(0);
    csr_write<csr::hie>(0);
    if (vcpu.partition != nullptr && vcpu.partition->spec->sstc)
        csr_write<csr::vstimecmp>(~0ULL);
}

void vcpu_start(VcpuContext& vcpu, std::uint64_t entry, std::uint64_t arg) {
    const Partition& partition = *vcpu.partition;
    vcpu_quiesce(vcpu);
    csr_write<csr::hedeleg>(kDelegatedExceptions);
    csr_write<csr::hideleg>(kDelegatedInterrupts);
    csr_write<csr::hcounteren>(0xffffffff);
    csr_write<csr::htimedelta>(0);
    csr_write<csr::henvcfg>(partition.spec->sstc ? henvcfg_bits::STCE : 0);
    csr_write<csr::vsatp>(0);
    csr_write<csr::vstvec>(0);
    csr_write<csr::vsscratch>(0);
    csr_write<csr::vsepc>(0);
    csr_write<csr::vscause>(0);
    csr_write<csr::vstval>(0);
    csr_write<csr::vsie>(0);
    csr_write<csr::vsstatus>(0);  // SIE = 0, FS = Off: the guest enables what it uses
    csr_write<csr::hgatp>(partition.hgatp());
    hfence_gvma_all();
    hfence_vvma_all();
    csr_clear<csr::hstatus>(hstatus_bits::VTW | hstatus_bits::VTSR | hstatus_bits::VTVM |
                            hstatus_bits::HU);
    csr_clear<csr::sstatus>(sstatus_bits::SPIE | sstatus_bits::FS);
    csr_set<csr::sstatus>(sstatus_bits::FS_INITIAL);  // FP usable in VS
    vcpu.hsm_state.store(sbi::hsm_state::STARTED);
    fence_i();  // the image was written with stores; fetch must see it
    vcpu_update_external_interrupt(vcpu);
    csr_write<csr::sie>(kHypervisorInterrupts);
    if (vcpu.timer_mode == TimerMode::Watched) watchdog_start(vcpu);
    enter_guest_at(vcpu, entry, arg);
}

void vcpu_resume(VcpuContext& vcpu, std::uint64_t entry, std::uint64_t arg) {
    csr_write<csr::vsatp>(0);
    csr_clear<csr::vsstatus>(sstatus_bits::SIE);
    hfence_vvma_all();
    enter_guest_at(vcpu, entry, arg);
}

void vcpu_update_external_interrupt(VcpuContext& vcpu) {
    bool signals = false;
    {
        Partition& partition = *vcpu.partition;
        DevicesGuard guard(partition);
        // The level last published, not the one the PLIC drives right now:
        // every change is followed by its publication, which asks this hart
        // again only if the published level changes. A level taken before
        // its publication (another hart's change in between) could be undone
        // by a third hart's change before that publication, which then sees
        // no change and asks no one: VSEIP would stay at a level the PLIC no
        // longer drives, an interrupt lost.
        signals = (partition.vseip_published >> vcpu.vhart & 1) != 0;
    }
    if (signals) {
        csr_set<csr::hvip>(irq_bits::VSEIP);
    } else {
        csr_clear<csr::hvip>(irq_bits::VSEIP);
    }
}

}  // namespace tessera

// The fast path: an SBI call from the guest (entry.S saved only the
// caller-saved registers).
extern "C" tessera::VcpuContext* tessera_handle_sbi_call(tessera::VcpuContext* vcpu) {
    using namespace tessera;
    using namespace tessera::arch;
    std::uint64_t* x = vcpu->gpr;
    const sbi::Call call{x[reg::a7], x[reg::a6],
                         {x[reg::a0], x[reg::a1], x[reg::a2], x[reg::a3], x[reg::a4], x[reg::a5]}};
    GuestSbiEnv env(*vcpu);
    const sbi::Outcome outcome = sbi::handle_sbi(call, env);
    switch (outcome.action) {
        case sbi::Action::Resume: break;
        case sbi::Action::ShutdownPartition: {
            const bool failed = outcome.reason != sbi::srst::REASON_NONE;
            partition_stop(*vcpu, failed,
                           failed ? "SBI system reset (shutdown, failure)"
                                  : "SBI system reset (shutdown)");
        }
        case sbi::Action::RebootPartition:
            partition_restart(*vcpu, "SBI system reset (reboot)");
        case sbi::Action::StopHart: park_hart(*vcpu);
        case sbi::Action::SuspendHart:
            // Non-retentive suspend: wait for an interrupt with every enable
            // as it is (the hypervisor's stand-in timer of a guest without
            // Sstc included), then resume at addr. Interrupts stay pending:
            // the guest takes them once it enables them again.
            vcpu->hsm_state.store(sbi::hsm_state::SUSPENDED);
            wait_for_interrupt();
            vcpu->hsm_state.store(sbi::hsm_state::STARTED);
            vcpu_resume(*vcpu, outcome.addr, outcome.opaque);
    }
    x[reg::a0] = static_cast<std::uint64_t>(outcome.error);
    if (!outcome.legacy) x[reg::a1] = outcome.value;
    csr_write<csr::sepc>(csr_read<csr::sepc>() + 4);
    return vcpu;
}

// Every other exit (entry.S saved every register).
extern "C" tessera::VcpuContext* tessera_handle_exit(tessera::VcpuContext* vcpu) {
    using namespace tessera;
    using namespace tessera::arch;
    const std::uint64_t scause = csr_read<csr::scause>();
    // (Load/store guest-page faults go from entry.S straight to
    // tessera_handle_mmio_exit.)
    switch (scause) {
        case cause::INTERRUPT_BIT | interrupt::SUPERVISOR_SOFTWARE: serve_requests(*vcpu); break;
        case cause::INTERRUPT_BIT | interrupt::SUPERVISOR_TIMER: host_timer_fired(*vcpu); break;
        case cause::INTERRUPT_BIT | interrupt::SUPERVISOR_EXTERNAL:
            passthrough_irqs_take(*vcpu);
            break;
        case cause::INSN_GUEST_PAGE_FAULT:
            // Fetching from guest-physical memory the partition doesn't have.
            inject_guest_exception(*vcpu, cause::INSN_ACCESS, csr_read<csr::stval>());
            break;
        case cause::VIRTUAL_INSN:
            // An instruction the guest may not execute in VS/VU-mode (an HS or
            // VS CSR, an H instruction): real hardware says illegal.
            inject_virtual_instruction_as_illegal(*vcpu);
            break;
        default: stop_on_unhandled(*vcpu, scause);
    }
    return vcpu;
}
