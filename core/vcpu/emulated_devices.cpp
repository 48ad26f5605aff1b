#include "vcpu/emulated_devices.hpp"

#include <optional>

#include "arch/riscv/csr.hpp"
#include "arch/riscv/mmio_decoder.hpp"
#include "irq/passthrough.hpp"
#include "partition/partition.hpp"
#include "scenario/scenario.hpp"
#include "vcpu/trap_injection.hpp"

extern "C" std::uint32_t tessera_fetch_guest_insn(std::uint64_t guest_va);

namespace tessera {
namespace {

using namespace arch;

const cfg::EmulatedDevice* find_device(const cfg::PartitionSpec& spec, std::uint64_t gpa) {
    for (const cfg::EmulatedDevice& device : spec.emulated)
        if (gpa - device.gpa < device.size) return &device;
    return nullptr;
}

// The k-th UART of the partition is the k-th Ns16550 in its device list.
console::VirtualUart& uart_of(Partition& partition, const cfg::EmulatedDevice& device) {
    std::size_t index = 0;
    for (const cfg::EmulatedDevice& other : partition.spec->emulated) {
        if (&other == &device) break;
        if (other.kind == cfg::EmulatedKind::Ns16550) ++index;
    }
    return partition.uarts[index];
}

// The virtual UART's other side: the hypervisor console.
class UartBackend {
public:
    explicit UartBackend(const Partition& partition) : index_(partition.index) {}
    void transmit(std::uint8_t byte) {
        scenario_runtime().console.write(index_, std::span<const std::uint8_t>(&byte, 1));
    }
    int poll_receive() { return partition_console_read(index_); }

private:
    std::uint32_t index_;
};

constexpr bool is_claim_register(std::uint64_t offset) {
    return offset >= irq::plic_layout::kContextBase &&
           (offset & (irq::plic_layout::kContextStride - 1)) == irq::plic_layout::kClaimOffset;
}

// One access to an emulated device; false: the device rejects it.
bool access_device(VcpuContext& vcpu, const cfg::EmulatedDevice& device, std::uint64_t offset,
                   const MmioAccess& access, std::uint64_t& value) {
    Partition& partition = *vcpu.partition;
    bool ok = false;
    bool plic_changed = false;
    {
        LockGuard guard(partition.devices_lock);
        if (device.kind == cfg::EmulatedKind::Plic) {
            if (access.is_store) {
                ok = partition.plic.write(offset, access.width, static_cast<std::uint32_t>(value));
                partition.plic.take_completed().for_each(
                    [&](std::uint32_t source) { passthrough_irq_completed(partition, source); });
                plic_changed = ok;
            } else {
                std::uint32_t word = 0;
                ok = partition.plic.read(offset, access.width, word);
                value = word;
                plic_changed = ok && is_claim_register(offset);
            }
        } else {
            console::VirtualUart& uart = uart_of(partition, device);
            UartBackend backend(partition);
            if (access.is_store) {
                ok = uart.write(offset, access.width, static_cast<std::uint8_t>(value), backend);
            } else {
                std::uint8_t byte = 0;
                ok = uart.read(offset, access.width, byte, backend);
                value = byte;
            }
            if (device.irq != 0) {
                partition.plic.set_level(device.irq, uart.interrupt_line());
                plic_changed = true;
            }
        }
    }
    if (plic_changed) signal_virtual_plic(vcpu);
    return ok;
}

// After a fetch of the faulting instruction itself faulted, the trap state
// of the guest's exit is restored: it returns to the guest, which retries.
void restore_after_fetch_fault(std::uint64_t sepc) {
    const bool from_vs = (csr_read<csr::hstatus>() & hstatus_bits::SPVP) != 0;
    csr_set<csr::hstatus>(hstatus_bits::SPV);
    if (from_vs) {
        csr_set<csr::sstatus>(sstatus_bits::SPP);
    } else {
        csr_clear<csr::sstatus>(sstatus_bits::SPP);
    }
    csr_write<csr::sepc>(sepc);
}

}  // namespace

void handle_guest_page_fault(VcpuContext& vcpu, std::uint64_t scause) {
    const std::uint64_t stval = csr_read<csr::stval>();
    const std::uint64_t gpa = (csr_read<csr::htval>() << 2) | (stval & 3);
    const bool store = scause == cause::STORE_GUEST_PAGE_FAULT;
    const std::uint64_t access_fault = store ? cause::STORE_ACCESS : cause::LOAD_ACCESS;

    const cfg::EmulatedDevice* device = find_device(*vcpu.partition->spec, gpa);
    if (device == nullptr) {
        inject_guest_exception(vcpu, access_fault, stval);
        return;
    }
    const std::uint64_t htinst = csr_read<csr::htinst>();
    const std::uint64_t sepc = csr_read<csr::sepc>();
    std::optional<MmioAccess> access;
    if (htinst & 1) {
        access = decode_transformed(htinst);
    } else if (htinst == 0) {
        const std::uint32_t insn = tessera_fetch_guest_insn(sepc);
        if (insn == 0) {
            restore_after_fetch_fault(sepc);
            return;
        }
        access = decode_instruction(insn);
    }
    // Not a plain load/store (an AMO, an FP access, the guest's own page-table
    // walk through an emulated window): real devices give an access fault.
    if (!access || access->is_store != store) {
        inject_guest_exception(vcpu, access_fault, stval);
        return;
    }
    std::uint64_t value = 0;
    if (store) {
        value = access->reg == 0 ? 0 : vcpu.gpr[access->reg];
        if (access->width < 8) value &= (1ULL << (8 * access->width)) - 1;
    }
    if (!access_device(vcpu, *device, gpa - device->gpa, *access, value)) {
        inject_guest_exception(vcpu, access_fault, stval);
        return;
    }
    if (!store) vcpu.set_gpr(access->reg, extend_loaded(*access, value));
    csr_write<csr::sepc>(sepc + access->length);
}

}  // namespace tessera
