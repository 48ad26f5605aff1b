#include "vcpu/hart_requests.hpp"

#include "arch/riscv/csr.hpp"
#include "arch/riscv/sbi_client.hpp"
#include "partition/partition.hpp"
#include "scenario/scenario.hpp"
#include "vcpu/vcpu.hpp"

namespace tessera {

using namespace arch;

VcpuContext& partition_vcpu(const VcpuContext& any, std::uint32_t vhart) {
    return scenario_runtime().vcpus[any.partition->spec->harts[vhart]];
}

void post_request(VcpuContext& target, std::uint32_t bits) {
    target.requests.fetch_or(bits);
    firmware_call(sbi::ext::IPI, sbi::ipi_fn::SEND_IPI, 1, target.phys_hart);
}

namespace {

void fence_locally() {
    fence_i();
    hfence_vvma_all();
}

// Serves a FENCE request: every fence asked for before this point is done
// once this hart has fenced; senders wait for fences_completed.
void fence_and_acknowledge(VcpuContext& self) {
    const std::uint64_t wanted = self.fences_requested.load();
    fence_locally();
    self.fences_completed.store(wanted);
}

}  // namespace

void serve_requests(VcpuContext& self) {
    csr_clear<csr::sip>(sie_bits::SSIE);  // before reading: a later post interrupts again
    const std::uint32_t pending = self.requests.exchange(0);
    if (pending & request::FENCE) fence_and_acknowledge(self);
    if (pending & request::VSSIP) csr_set<csr::hvip>(irq_bits::VSSIP);
    if (pending & request::VSEIP) vcpu_update_external_interrupt(self);
    if (pending & request::PARK) park_hart(self);
    // START means nothing to a running hart: only park_hart's loop acts on it.
}

void remote_fence(VcpuContext& self, sbi::Fence kind, std::uint64_t vharts) {
    (void)kind;  // fence.i and hfence.vvma are both cheap: every remote fence does both
    std::uint64_t tickets[64] = {};
    const std::uint32_t count = static_cast<std::uint32_t>(self.partition->spec->harts.size());
    for (std::uint32_t vhart = 0; vhart < count; ++vhart) {
        if ((vharts & (1ULL << vhart)) == 0 || vhart == self.vhart) continue;
        VcpuContext& target = partition_vcpu(self, vhart);
        tickets[vhart] = target.fences_requested.fetch_add(1) + 1;
        post_request(target, request::FENCE);
    }
    if (vharts & (1ULL << self.vhart)) fence_locally();
    for (std::uint32_t vhart = 0; vhart < count; ++vhart) {
        if (tickets[vhart] == 0) continue;
        VcpuContext& target = partition_vcpu(self, vhart);
        // Serve our own requests meanwhile: the target may be waiting on us.
        while (target.fences_completed.load() < tickets[vhart]) serve_requests(self);
    }
}

void send_guest_ipi(VcpuContext& self, std::uint64_t vharts) {
    const std::uint32_t count = static_cast<std::uint32_t>(self.partition->spec->harts.size());
    for (std::uint32_t vhart = 0; vhart < count; ++vhart) {
        if ((vharts & (1ULL << vhart)) == 0) continue;
        if (vhart == self.vhart) {
            csr_set<csr::hvip>(irq_bits::VSSIP);
        } else {
            post_request(partition_vcpu(self, vhart), request::VSSIP);
        }
    }
}

std::int64_t hsm_start(const VcpuContext& self, std::uint32_t vhart, std::uint64_t addr,
                       std::uint64_t opaque) {
    VcpuContext& target = partition_vcpu(self, vhart);
    std::uint32_t expected = sbi::hsm_state::STOPPED;
    if (!target.hsm_state.compare_exchange_strong(expected, sbi::hsm_state::START_PENDING))
        return sbi::error::ALREADY_AVAILABLE;
    target.start_addr = addr;
    target.start_opaque = opaque;
    post_request(target, request::START);
    return sbi::error::SUCCESS;
}

[[noreturn]] void park_hart(VcpuContext& self) {
    vcpu_quiesce(self);
    // Stopped from here on, unless a start is already pending: a partition's
    // other harts come here from boot STOPPED, and its first hart may have
    // started one (START_PENDING, START posted) before this hart got here.
    // Overwriting that with STOPPED would make the start fail below, while
    // the guest was told it succeeded.
    std::uint32_t state = self.hsm_state.load();
    while (state != sbi::hsm_state::START_PENDING &&
           !self.hsm_state.compare_exchange_weak(state, sbi::hsm_state::STOPPED)) {
    }
    for (;;) {
        // Every request rings the doorbell (sip.SSIP), which stays pending
        // until cleared here, so the wait comes first and loses nothing (a
        // start found on arrival has rung it too). Reading first could take a
        // start posted just after the hart parked before its IPI arrived; the
        // IPI would then ring in the started guest, a spurious wake-up.
        wait_for_interrupt();
        // The doorbell is cleared before the requests are read: a request
        // posted after the read rings it again, so none is slept through.
        csr_clear<csr::sip>(sie_bits::SSIE);
        // Fences are acknowledged even while parked; an interrupt or a park
        // means nothing to a stopped hart. START stays until it is taken.
        const std::uint32_t pending = self.requests.fetch_and(
            ~(request::FENCE | request::VSSIP | request::VSEIP | request::PARK));
        if (pending & request::FENCE) fence_and_acknowledge(self);
        if ((pending & request::START) == 0) continue;
        // The start is taken by moving START_PENDING to STARTED, not by
        // looking at it: a partition stop that meanwhile moved it back to
        // STOPPED wins, and one that comes later sees STARTED and posts PARK,
        // whose doorbell stays rung until the guest runs and takes it.
        std::uint32_t expected = sbi::hsm_state::START_PENDING;
        if (!self.hsm_state.compare_exchange_strong(expected, sbi::hsm_state::STARTED)) continue;
        self.requests.fetch_and(~request::START);
        vcpu_start(self, self.start_addr, self.start_opaque);
    }
}

}  // namespace tessera
