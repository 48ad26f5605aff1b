#include "vcpu/emulated_devices.hpp"

#include <optional>

#include "arch/riscv/csr.hpp"
#include "arch/riscv/guest_fetch.hpp"
#include "arch/riscv/mmio_decoder.hpp"
#include "irq/passthrough.hpp"
#include "partition/partition.hpp"
#include "scenario/scenario.hpp"
#include "vcpu/trap_injection.hpp"

namespace tessera {
namespace {

using namespace arch;

const cfg::EmulatedDevice* find_device(const cfg::PartitionSpec& spec, std::uint64_t gpa) {
    for (const cfg::EmulatedDevice& device : spec.emulated)
        if (gpa - device.gpa < device.size) return &device;
    return nullptr;
}

// The k-th UART of the partition is the k-th Ns16550 in its device list.
// cppcheck-suppress constParameter ; false positive: it returns a mutable reference into partition
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

// The virtual PLIC's writes (they may complete a passthrough interrupt) and
// claims; its other reads are served inline by serve_access().
[[gnu::noinline]] bool write_plic(VcpuContext& vcpu, std::uint64_t offset,
                                  const MmioAccess& access, std::uint64_t value) {
    bool ok = false;
    {
        Partition& partition = *vcpu.partition;
        DevicesGuard guard(partition);
        ok = partition.plic.write(offset, access.width, static_cast<std::uint32_t>(value));
        partition.plic.take_completed().for_each(
            [&](std::uint32_t source) { passthrough_irq_completed(partition, source); });
        // Enables, thresholds and priorities move passthrough sources.
        if (ok && !irq::VirtualPlic::is_claim_register(offset)) passthrough_irqs_reroute(partition);
    }
    if (ok) signal_virtual_plic(vcpu);
    return ok;
}

[[gnu::noinline]] bool claim_plic(VcpuContext& vcpu, std::uint64_t offset,
                                  const MmioAccess& access, std::uint64_t& value) {
    std::uint32_t word = 0;
    bool ok = false;
    {
        Partition& partition = *vcpu.partition;
        DevicesGuard guard(partition);
        ok = partition.plic.read(offset, access.width, word);
    }
    value = word;
    if (ok) signal_virtual_plic(vcpu);
    return ok;
}

[[gnu::noinline]] bool access_uart(VcpuContext& vcpu, const cfg::EmulatedDevice& device,
                                   std::uint64_t offset, const MmioAccess& access,
                                   std::uint64_t& value) {
    bool ok = false;
    {
        Partition& partition = *vcpu.partition;
        DevicesGuard guard(partition);
        console::VirtualUart& uart = uart_of(partition, device);
        UartBackend backend(partition);
        if (access.is_store) {
            ok = uart.write(offset, access.width, static_cast<std::uint8_t>(value), backend);
        } else {
            std::uint8_t byte = 0;
            ok = uart.read(offset, access.width, byte, backend);
            value = byte;
        }
        if (device.irq == 0) return ok;
        partition.plic.set_level(device.irq, uart.interrupt_line());
    }
    signal_virtual_plic(vcpu);
    return ok;
}

[[gnu::cold, gnu::noinline]] VcpuContext* inject_access_fault(VcpuContext& vcpu, bool store,
                                                             std::uint64_t stval) {
    inject_guest_exception(vcpu, store ? cause::STORE_ACCESS : cause::LOAD_ACCESS, stval);
    return &vcpu;
}

// After a fetch of the faulting instruction itself faulted, the trap state
// of the guest's exit is restored: it returns to the guest, which retries.
[[gnu::cold, gnu::noinline]] VcpuContext* restore_after_fetch_fault(VcpuContext& vcpu,
                                                                   std::uint64_t sepc) {
    restore_trap_after_fetch_fault(sepc);
    return &vcpu;
}

// What entry.S returns to ask for the exit again with every register saved.
VcpuContext* needs_all_registers(VcpuContext& vcpu) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): a tagged pointer for entry.S, never dereferenced
    return reinterpret_cast<VcpuContext*>(reinterpret_cast<std::uintptr_t>(&vcpu) |
                                          mmio_exit::kNeedsAllRegisters);
}

// Accesses other than a plain PLIC read: the device model, then the guest's
// register and sepc.
[[gnu::noinline]] VcpuContext* emulate_access(VcpuContext& vcpu, const cfg::EmulatedDevice& device,
                                              std::uint64_t offset, const MmioAccess& access,
                                              std::uint64_t sepc, std::uint64_t stval) {
    std::uint64_t value = access.is_store ? stored_value(access, vcpu.gpr[access.reg]) : 0;
    bool ok = false;
    if (device.kind != cfg::EmulatedKind::Plic) {
        ok = access_uart(vcpu, device, offset, access, value);
    } else if (access.is_store) {
        ok = write_plic(vcpu, offset, access, value);
    } else {
        ok = claim_plic(vcpu, offset, access, value);
    }
    if (!ok) [[unlikely]] return inject_access_fault(vcpu, access.is_store, stval);
    if (!access.is_store) vcpu.set_gpr(access.reg, extend_loaded(access, value));
    csr_write<csr::sepc>(sepc + access.length);
    return &vcpu;
}

// An exit whose instruction is not an integer load or store: an AMO, an FP
// access, or an implicit access of the guest's own VS-stage page-table walk
// (htinst holds a pseudoinstruction, bit 0 clear) that left its partition.
// No device serves those; the guest gets the access fault of the access
// that caused the exit, as real hardware gives when a walk reaches memory
// that isn't there. QEMU 7.2 reports every G-stage fault of a walk as a load
// guest-page fault, whatever the walk was for, so the access is told from
// the fault itself: at the instruction's own address it was the fetch of
// that instruction, else the instruction at sepc says load or store.
[[gnu::cold, gnu::noinline]] VcpuContext* inject_unemulated_access_fault(VcpuContext& vcpu,
                                                                        std::uint64_t scause,
                                                                        std::uint64_t insn,
                                                                        std::uint64_t source,
                                                                        std::uint64_t sepc) {
    const std::uint64_t stval = csr_read<csr::stval>();
    const bool implicit = source == mmio_exit::kTransformed && (insn & 1) == 0;
    if (implicit && (stval == sepc || stval == sepc + 2)) {
        inject_guest_exception(vcpu, cause::INSN_ACCESS, stval);
        return &vcpu;
    }
    std::uint32_t instruction = static_cast<std::uint32_t>(insn);
    if (implicit && !tessera_read_guest_instruction(sepc, &instruction))
        return restore_after_fetch_fault(vcpu, sepc);  // the guest retries
    if (source == mmio_exit::kTransformed && !implicit)
        instruction |= 2;  // a transformed instruction clears bit 1 for a compressed original
    const std::optional<bool> writes = writes_memory(instruction);
    return inject_access_fault(vcpu, writes.value_or(scause == cause::STORE_GUEST_PAGE_FAULT),
                               stval);
}

// Serves a decoded access. Unless entry.S saved all registers, vcpu.gpr
// holds only the guest's caller-saved ones: an access naming another
// register asks entry.S to save them all and come back. A plain read of the virtual PLIC
// (the most frequent emulated access) is served here without a call, so the
// whole path runs without a stack frame.
// caller_saved: VcpuContext::is_caller_saved(access.reg).
[[gnu::always_inline]] inline VcpuContext* serve_access(VcpuContext& vcpu, std::uint64_t scause,
                                                       const MmioAccess& access, bool caller_saved,
                                                       std::uint64_t sepc, bool all_saved) {
    const std::uint64_t stval = csr_read<csr::stval>();
    const std::uint64_t gpa = (csr_read<csr::htval>() << 2) | (stval & 3);
    const bool store = scause == cause::STORE_GUEST_PAGE_FAULT;
    const cfg::EmulatedDevice* device = find_device(*vcpu.partition->spec, gpa);
    // No device there, or an access the decoder can't serve as this exit's
    // kind (the guest's own page-table walk through an emulated window is a
    // load exit for a store): real devices give an access fault, of the
    // instruction's kind (QEMU 7.2 reports a G-stage fault of a store's
    // page-table walk as a load guest-page fault).
    if (device == nullptr || access.is_store != store) [[unlikely]]
        return inject_access_fault(vcpu, access.is_store, stval);
    if (!caller_saved && !all_saved) [[unlikely]] return needs_all_registers(vcpu);
    const std::uint64_t offset = gpa - device->gpa;
    if (device->kind != cfg::EmulatedKind::Plic || store ||
        irq::VirtualPlic::is_claim_register(offset))
        return emulate_access(vcpu, *device, offset, access, sepc, stval);

    std::uint32_t word = 0;
    bool ok = false;
    {
        Partition& partition = *vcpu.partition;
        DevicesGuard guard(partition);
        ok = partition.plic.read_register(offset, access.width, word);
    }
    if (!ok) [[unlikely]] return inject_access_fault(vcpu, store, stval);
    // A PLIC register is 4 bytes: LW sign-extends, LWU doesn't.
    const std::uint64_t value = access.sign_extend
                                    ? static_cast<std::uint64_t>(static_cast<std::int32_t>(word))
                                    : word;
    // vcpu.set_gpr(), with what is known of the register already.
    if (access.reg != 0) vcpu.gpr[access.reg] = value;
    if (!caller_saved) vcpu.restore_all = 1;
    csr_write<csr::sepc>(sepc + access.length);
    return &vcpu;
}

// The instruction is not the one decoded last (or came from htinst):
// decode it, then serve it.
[[gnu::noinline]] VcpuContext* decode_and_serve(VcpuContext& vcpu, std::uint64_t scause,
                                                std::uint64_t insn, std::uint64_t source,
                                                std::uint64_t sepc, bool all_saved) {
    std::optional<MmioAccess> access;
    if (source == mmio_exit::kTransformed) {
        // Bit 0 clear: a pseudoinstruction, an implicit page-table access.
        if (insn & 1) access = decode_transformed(insn);
    } else {
        access = decode_instruction(static_cast<std::uint32_t>(insn));
        if (access) {
            vcpu.mmio_insn = static_cast<std::uint32_t>(insn);
            vcpu.mmio_access = *access;
            vcpu.mmio_reg_caller_saved = VcpuContext::is_caller_saved(access->reg);
        }
    }
    // Not a plain load/store (an AMO, an FP access, a pseudoinstruction).
    if (!access) [[unlikely]]
        return inject_unemulated_access_fault(vcpu, scause, insn, source, sepc);
    return serve_access(vcpu, scause, *access, VcpuContext::is_caller_saved(access->reg), sepc,
                        all_saved);
}

}  // namespace
}  // namespace tessera

extern "C" tessera::VcpuContext* tessera_handle_mmio_exit(tessera::VcpuContext* vcpu,
                                                          std::uint64_t scause,
                                                          std::uint64_t insn,
                                                          std::uint64_t source,
                                                          std::uint64_t sepc,
                                                          std::uint64_t all_saved) {
    using namespace tessera;
    // First: a failed fetch overwrote stval and htval (and sepc).
    if (source == mmio_exit::kFetchFaulted) [[unlikely]]
        return restore_after_fetch_fault(*vcpu, sepc);
    if (source != mmio_exit::kFetched || insn != vcpu->mmio_insn) [[unlikely]]
        return decode_and_serve(*vcpu, scause, insn, source, sepc, all_saved != 0);
    return serve_access(*vcpu, scause, vcpu->mmio_access, vcpu->mmio_reg_caller_saved, sepc,
                        all_saved != 0);
}
