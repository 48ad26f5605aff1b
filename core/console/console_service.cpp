#include "console/console_service.hpp"

#include "irq/passthrough.hpp"
#include "irq/plic.hpp"
#include "lib/text.hpp"
#include "partition/partition.hpp"
#include "platform_api.hpp"
#include "scenario/scenario.hpp"

namespace tessera {
namespace {

// The partition's first emulated 16550 (its console), nullptr if none.
const cfg::EmulatedDevice* console_uart(const Partition& partition) {
    for (const cfg::EmulatedDevice& device : partition.spec->emulated)
        if (device.kind == cfg::EmulatedKind::Ns16550) return &device;
    return nullptr;
}

// Typed bytes into `target`'s virtual UART, whose interrupt then reaches
// the harts of that partition (this hart may run another one).
void deliver(VcpuContext& self, Partition& target, const std::uint8_t* bytes, std::size_t count) {
    const cfg::EmulatedDevice* device = console_uart(target);
    if (device == nullptr || target.state.load() != PartitionState::Running) return;
    {
        DevicesGuard guard(target);
        console::VirtualUart& uart = target.uarts[0];
        for (std::size_t i = 0; i < count; ++i) uart.receive(bytes[i]);
        if (device->irq != 0) target.plic.set_level(device->irq, uart.interrupt_line());
    }
    if (self.partition == &target) {
        signal_virtual_plic(self);
    } else {
        signal_virtual_plic(target);
    }
}

}  // namespace

void console_input_attach() {
    Scenario& s = scenario_runtime();
    console_input_announce(s.input.focus(), false);
    if (s.console_irq == 0 || s.plic.base == 0) return;
    const irq::PhysicalPlic plic{s.plic.base};
    plic.set_priority(s.console_irq, 1);
    for (const Partition& partition : s.partitions) {
        for (std::uint32_t hart : partition.spec->harts) {
            plic.set_threshold(irq::PhysicalPlic::s_context(hart), 0);
            plic.set_enabled(irq::PhysicalPlic::s_context(hart), s.console_irq, true);
        }
    }
    platform::console_enable_receive_interrupt();
}

void console_hand_over() {
    Scenario& s = scenario_runtime();
    Line line;
    line << "console: partition " << s.partitions[s.console_owner].spec->name
         << " owns the UART from now on; the hypervisor and the other partitions are silent";
    log(line.view());
    s.console.silence();
    s.input.disconnect();
}

void console_input_interrupt(VcpuContext& self) {
    Scenario& s = scenario_runtime();
    std::uint8_t bytes[32];
    std::uint32_t focus = 0;
    for (;;) {
        const std::size_t count = s.input.take_pending(bytes, sizeof bytes, &focus);
        if (count != 0) deliver(self, s.partitions[focus], bytes, count);
        if (count < sizeof bytes && s.input.focus() == focus) break;
    }
}

void console_input_announce(std::uint32_t focus, bool help) {
    const Scenario& s = scenario_runtime();
    if (!help) {
        Line line;
        line << "console input: partition " << s.partitions[focus].spec->name << " (Ctrl-T "
             << dec(focus + 1) << "); Ctrl-T ? lists the partitions";
        log(line.view());
        return;
    }
    for (const Partition& partition : s.partitions) {
        Line line;
        line << "  Ctrl-T " << dec(partition.index + 1) << "  " << partition.spec->name
             << (partition.index == focus ? "  (has the input)" : "");
        log(line.view());
    }
    log("  Ctrl-T Ctrl-T  sends a Ctrl-T to the partition that has the input");
}

}  // namespace tessera
