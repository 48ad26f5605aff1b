#include "vcpu/host_timer.hpp"

#include "arch/riscv/csr.hpp"
#include "lib/text.hpp"
#include "partition/partition.hpp"
#include "platform_api.hpp"

namespace tessera {
namespace {

using namespace arch;

constexpr std::uint64_t kNever = ~0ULL;

// Arms the host timer for the earlier of the guest's deadline and the
// watchdog's (a watched vCPU's timer is always on: the watchdog never sleeps).
void rearm_watched(const VcpuContext& vcpu) {
    const std::uint64_t watchdog = vcpu.partition->watchdog_deadline.load();
    platform::arm_host_timer(vcpu.guest_deadline < watchdog ? vcpu.guest_deadline : watchdog);
    csr_set<csr::sie>(sie_bits::STIE);
}

[[noreturn, gnu::cold]] void watchdog_expired(VcpuContext& vcpu) {
    Line why;
    why << "watchdog expired (no kick for " << dec(vcpu.partition->spec->watchdog_ms) << " ms)";
    partition_fault(vcpu, why.view());
}

}  // namespace

void host_timer_set_guest_watched(VcpuContext& vcpu, std::uint64_t stime_value) {
    if (vcpu.partition->spec->sstc) {
        csr_write<csr::vstimecmp>(stime_value);
    } else {
        csr_clear<csr::hvip>(irq_bits::VSTIP);
    }
    vcpu.guest_deadline = stime_value;  // (the backstop, with Sstc)
    rearm_watched(vcpu);
}

void host_timer_fired_watched(VcpuContext& vcpu) {
    const std::uint64_t now = csr_read<csr::time>();
    if (vcpu.guest_deadline <= now) {
        if (!vcpu.partition->spec->sstc) csr_set<csr::hvip>(irq_bits::VSTIP);
        vcpu.guest_deadline = kNever;
    }
    if (vcpu.partition->watchdog_deadline.load() <= now) watchdog_expired(vcpu);
    rearm_watched(vcpu);
}

void watchdog_start(VcpuContext& vcpu) {
    vcpu.guest_deadline = kNever;
    vcpu.partition->watchdog_deadline.store(csr_read<csr::time>() +
                                            vcpu.partition->watchdog_ticks);
    rearm_watched(vcpu);
}

bool watchdog_kick(VcpuContext& vcpu) {
    Partition& partition = *vcpu.partition;
    if (partition.watchdog_ticks == 0) return false;
    // The checking hart sees the new deadline when its timer next fires.
    partition.watchdog_deadline.store(csr_read<csr::time>() + partition.watchdog_ticks);
    return true;
}

}  // namespace tessera
