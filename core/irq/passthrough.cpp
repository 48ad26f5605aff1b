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

// The PLIC context that takes the partition's passthrough interrupts: the
// S context of the hart running its virtual hart 0.
std::uint32_t serving_context(const Partition& partition) {
    return irq::PhysicalPlic::s_context(partition.spec->harts[0]);
}

bool has_passthrough_irqs(const Partition& partition) {
    return scenario_runtime().plic.base != 0 && !partition.spec->irqs.empty();
}

}  // namespace

void passthrough_irqs_attach(Partition& partition) {
    if (!has_passthrough_irqs(partition)) return;
    const irq::PhysicalPlic plic = physical_plic();
    const std::uint32_t context = serving_context(partition);
    plic.set_threshold(context, 0);
    for (const cfg::IrqRoute& route : partition.spec->irqs) {
        plic.set_priority(route.host_irq, 1);
        plic.set_enabled(context, route.host_irq, true);
    }
}

void passthrough_irqs_detach(Partition& partition) {
    if (!has_passthrough_irqs(partition)) return;
    const irq::PhysicalPlic plic = physical_plic();
    const std::uint32_t context = serving_context(partition);
    for (const cfg::IrqRoute& route : partition.spec->irqs) {
        plic.complete(context, route.host_irq);  // while still enabled, or it is ignored
        plic.set_enabled(context, route.host_irq, false);
        plic.set_priority(route.host_irq, 0);
    }
}

void passthrough_irqs_take(VcpuContext& vcpu) {
    const irq::PhysicalPlic plic = physical_plic();
    const std::uint32_t context = irq::PhysicalPlic::s_context(vcpu.phys_hart);
    Partition& partition = *vcpu.partition;
    bool raised = false;
    for (std::uint32_t source; (source = plic.claim(context)) != 0;) {
        const cfg::IrqRoute* route = nullptr;
        for (const cfg::IrqRoute& candidate : partition.spec->irqs)
            if (candidate.host_irq == source) route = &candidate;
        if (route == nullptr) {  // the console's input, or not ours
            if (source == scenario_runtime().console_irq) console_input_interrupt(vcpu);
            plic.complete(context, source);
            continue;
        }
        DevicesGuard guard(partition);
        partition.plic.raise(route->guest_irq);
        raised = true;
    }
    if (raised) signal_virtual_plic(vcpu);
}

void passthrough_irq_completed(Partition& partition, std::uint32_t guest_irq) {
    if (!has_passthrough_irqs(partition)) return;
    for (const cfg::IrqRoute& route : partition.spec->irqs)
        if (route.guest_irq == guest_irq)
            physical_plic().complete(serving_context(partition), route.host_irq);
}

void signal_virtual_plic(VcpuContext& vcpu) {
    vcpu_update_external_interrupt(vcpu);
    const std::uint32_t count = static_cast<std::uint32_t>(vcpu.partition->spec->harts.size());
    for (std::uint32_t vhart = 0; vhart < count; ++vhart) {
        if (vhart == vcpu.vhart) continue;
        VcpuContext& other = partition_vcpu(vcpu, vhart);
        if (other.hsm_state.load() == sbi::hsm_state::STARTED)
            post_request(other, request::VSEIP);
    }
}

}  // namespace tessera
