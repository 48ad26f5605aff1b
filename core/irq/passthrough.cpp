#include "irq/passthrough.hpp"

#include "arch/riscv/csr.hpp"
#include "console/console_service.hpp"
#include "irq/plic.hpp"
#include "scenario/scenario.hpp"
#include "vcpu/hart_requests.hpp"
#include "vcpu/vcpu.hpp"

namespace tessera {
namespace {

irq::PhysicalPlic physical_plic() { return irq::PhysicalPlic{scenario_runtime().plic.base}; }

bool has_passthrough_irqs(const Partition& partition) {
    return scenario_runtime().plic.base != 0 && !partition.spec->irqs.empty();
}

// The PLIC context route `index` should be enabled on now.
std::uint16_t wanted_context(const Partition& partition, std::size_t index) {
    const std::optional<std::uint32_t> vhart =
        partition.plic.first_enabled_vhart(partition.spec->irqs[index].guest_irq);
    if (!vhart) return Partition::kNoContext;
    return static_cast<std::uint16_t>(irq::PhysicalPlic::s_context(partition.spec->harts[*vhart]));
}

// A claimed source the guest has not completed is completed where it was
// claimed (a completion is ignored on a context the source isn't enabled on).
void complete_claim(Partition& partition, std::size_t index) {
    if (partition.irq_claimed[index] == Partition::kNoContext) return;
    physical_plic().complete(partition.irq_claimed[index], partition.spec->irqs[index].host_irq);
    partition.irq_claimed[index] = Partition::kNoContext;
}

void route(Partition& partition, std::size_t index, std::uint16_t context) {
    const std::uint16_t current = partition.irq_context[index];
    if (context == current) return;
    const irq::PhysicalPlic plic = physical_plic();
    const std::uint32_t source = partition.spec->irqs[index].host_irq;
    if (context != Partition::kNoContext) {
        plic.set_threshold(context, 0);
        plic.set_enabled(context, source, true);
    }
    if (current != Partition::kNoContext) {
        complete_claim(partition, index);  // while still enabled there
        plic.set_enabled(current, source, false);
    }
    partition.irq_context[index] = context;
}

}  // namespace

void passthrough_irqs_attach(Partition& partition) {
    partition.irq_context.fill(Partition::kNoContext);
    partition.irq_claimed.fill(Partition::kNoContext);
    if (!has_passthrough_irqs(partition)) return;
    for (const cfg::IrqRoute& irq : partition.spec->irqs)
        physical_plic().set_priority(irq.host_irq, 1);
    DevicesGuard guard(partition);
    passthrough_irqs_reroute(partition);
}

void passthrough_irqs_reroute(Partition& partition) {
    if (!has_passthrough_irqs(partition)) return;
    for (std::size_t index = 0; index < partition.spec->irqs.size(); ++index)
        route(partition, index, wanted_context(partition, index));
}

void passthrough_irqs_detach(Partition& partition) {
    if (!has_passthrough_irqs(partition)) return;
    DevicesGuard guard(partition);
    for (std::size_t index = 0; index < partition.spec->irqs.size(); ++index) {
        route(partition, index, Partition::kNoContext);
        complete_claim(partition, index);
        physical_plic().set_priority(partition.spec->irqs[index].host_irq, 0);
    }
}

void passthrough_irqs_take(VcpuContext& vcpu) {
    const irq::PhysicalPlic plic = physical_plic();
    const std::uint32_t context = irq::PhysicalPlic::s_context(vcpu.phys_hart);
    Partition& partition = *vcpu.partition;
    bool raised = false;
    for (std::uint32_t source = plic.claim(context); source != 0;
         source = plic.claim(context)) {
        std::size_t index = 0;
        while (index < partition.spec->irqs.size() && partition.spec->irqs[index].host_irq != source)
            ++index;
        if (index == partition.spec->irqs.size()) {  // the console's input, or not ours
            if (source == scenario_runtime().console_irq) console_input_interrupt(vcpu);
            plic.complete(context, source);
            continue;
        }
        DevicesGuard guard(partition);
        partition.irq_claimed[index] = static_cast<std::uint16_t>(context);
        partition.plic.raise(partition.spec->irqs[index].guest_irq);
        raised = true;
    }
    if (raised) signal_virtual_plic(vcpu);
}

void passthrough_irq_completed(Partition& partition, std::uint32_t guest_irq) {
    if (!has_passthrough_irqs(partition)) return;
    for (std::size_t index = 0; index < partition.spec->irqs.size(); ++index)
        if (partition.spec->irqs[index].guest_irq == guest_irq) complete_claim(partition, index);
}

namespace {

// Publishes what the virtual PLIC drives now on each virtual hart's VSEIP
// (bit v: virtual hart v) and returns those that changed since the last
// publication. Every change of the virtual PLIC is followed by one, so a
// hart whose level changed is always told by whoever published it.
std::uint64_t publish_vseip(Partition& partition, std::uint64_t& levels) {
    DevicesGuard guard(partition);
    levels = partition.plic.signal_levels();
    const std::uint64_t changed = levels ^ partition.vseip_published;
    partition.vseip_published = levels;
    return changed;
}

// Asks virtual harts `vharts` to re-evaluate VSEIP. A stopped hart is not
// asked: it evaluates it when it starts. A suspended one is woken by it, as
// a pending interrupt would.
void ask_to_reevaluate(const Partition& partition, std::uint64_t vharts) {
    for (std::uint32_t vhart = 0; vharts != 0; ++vhart, vharts >>= 1) {
        if ((vharts & 1) == 0) continue;
        VcpuContext& other = scenario_runtime().vcpus[partition.spec->harts[vhart]];
        const std::uint32_t state = other.hsm_state.load();
        if (state == sbi::hsm_state::STARTED || state == sbi::hsm_state::SUSPENDED)
            post_request(other, request::VSEIP);
    }
}

}  // namespace

void signal_virtual_plic(Partition& partition) {
    std::uint64_t levels = 0;
    ask_to_reevaluate(partition, publish_vseip(partition, levels));
}

void signal_virtual_plic(VcpuContext& vcpu) {
    std::uint64_t levels = 0;
    const std::uint64_t self = 1ULL << vcpu.vhart;
    const std::uint64_t changed = publish_vseip(*vcpu.partition, levels);
    if (levels & self) {
        arch::csr_set<arch::csr::hvip>(arch::irq_bits::VSEIP);
    } else {
        arch::csr_clear<arch::csr::hvip>(arch::irq_bits::VSEIP);
    }
    ask_to_reevaluate(*vcpu.partition, changed & ~self);
}

}  // namespace tessera
