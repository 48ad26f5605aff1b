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

// The virtual PLIC, the device guests use most (a claim and a complete per
// interrupt); false: it rejects the access. Writes (rarer, and they may
// complete a passthrough interrupt) are kept out of the read path.
[[gnu::noinline]] bool write_plic(VcpuContext& vcpu, std::uint64_t offset,
                                  const MmioAccess& access, std::uint64_t value) {
    Partition& partition = *vcpu.partition;
    bool ok;
    {
        DevicesGuard guard(partition);
        ok = partition.plic.write(offset, access.width, static_cast<std::uint32_t>(value));
        partition.plic.take_completed().for_each(
            [&](std::uint32_t source) { passthrough_irq_completed(partition, source); });
    }
    if (ok) signal_virtual_plic(vcpu);
    return ok;
}

inline bool read_plic(VcpuContext& vcpu, std::uint64_t offset, const MmioAccess& access,
                      std::uint64_t& value) {
    Partition& partition = *vcpu.partition;
    std::uint32_t word = 0;
    bool ok;
    {
        DevicesGuard guard(partition);
        ok = partition.plic.read(offset, access.width, word);
    }
    value = word;
    if (ok && is_claim_register(offset)) [[unlikely]] signal_virtual_plic(vcpu);
    return ok;
}

[[gnu::noinline]] bool access_uart(VcpuContext& vcpu, const cfg::EmulatedDevice& device,
                                   std::uint64_t offset, const MmioAccess& access,
                                   std::uint64_t& value) {
    Partition& partition = *vcpu.partition;
    bool ok;
    {
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

enum class Decoded : std::uint8_t { Access, NotLoadStore, FetchFaulted };

[[gnu::noinline]] Decoded decode_and_remember(VcpuContext& vcpu, std::uint32_t insn) {
    const std::optional<MmioAccess> access = decode_instruction(insn);
    if (!access) return Decoded::NotLoadStore;
    vcpu.mmio_insn = insn;
    vcpu.mmio_access = *access;
    return Decoded::Access;
}

[[gnu::noinline]] Decoded decode_transformed_into(VcpuContext& vcpu, std::uint64_t htinst) {
    // Bit 0 clear: a pseudoinstruction, an implicit page-table access.
    const std::optional<MmioAccess> access =
        (htinst & 1) ? decode_transformed(htinst) : std::nullopt;
    if (!access) return Decoded::NotLoadStore;
    vcpu.mmio_insn = 0;  // the cache is keyed by raw instructions only
    vcpu.mmio_access = *access;
    return Decoded::Access;
}

// Decodes the faulting instruction into vcpu.mmio_access: from htinst when
// the hardware gives a transformed instruction, else read from guest memory.
Decoded decode_exit(VcpuContext& vcpu, std::uint64_t sepc) {
    const std::uint64_t htinst = csr_read<csr::htinst>();
    if (htinst != 0) [[unlikely]] return decode_transformed_into(vcpu, htinst);
    const std::uint32_t insn = tessera_fetch_guest_insn(sepc);
    if (insn == 0) [[unlikely]] return Decoded::FetchFaulted;
    if (insn == vcpu.mmio_insn) [[likely]] return Decoded::Access;
    return decode_and_remember(vcpu, insn);
}

[[gnu::cold, gnu::noinline]] void inject_access_fault(VcpuContext& vcpu, bool store,
                                                     std::uint64_t stval) {
    inject_guest_exception(vcpu, store ? cause::STORE_ACCESS : cause::LOAD_ACCESS, stval);
}

// After a fetch of the faulting instruction itself faulted, the trap state
// of the guest's exit is restored: it returns to the guest, which retries.
[[gnu::cold, gnu::noinline]] void restore_after_fetch_fault(std::uint64_t sepc) {
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

    const cfg::EmulatedDevice* device = find_device(*vcpu.partition->spec, gpa);
    if (device == nullptr) [[unlikely]] {
        inject_access_fault(vcpu, store, stval);
        return;
    }
    const std::uint64_t sepc = csr_read<csr::sepc>();
    const Decoded decoded = decode_exit(vcpu, sepc);
    if (decoded == Decoded::FetchFaulted) [[unlikely]] {
        restore_after_fetch_fault(sepc);
        return;
    }
    const MmioAccess& access = vcpu.mmio_access;
    // Not a plain load/store (an AMO, an FP access, the guest's own page-table
    // walk through an emulated window): real devices give an access fault.
    if (decoded != Decoded::Access || access.is_store != store) [[unlikely]] {
        inject_access_fault(vcpu, store, stval);
        return;
    }
    std::uint64_t value = store ? stored_value(access, vcpu.gpr[access.reg]) : 0;  // gpr[0] is 0
    const std::uint64_t offset = gpa - device->gpa;
    bool ok;
    if (device->kind != cfg::EmulatedKind::Plic) {
        ok = access_uart(vcpu, *device, offset, access, value);
    } else if (store) {
        ok = write_plic(vcpu, offset, access, value);
    } else {
        ok = read_plic(vcpu, offset, access, value);
    }
    if (!ok) [[unlikely]] {
        inject_access_fault(vcpu, store, stval);
        return;
    }
    if (!store) vcpu.set_gpr(access.reg, extend_loaded(access, value));
    csr_write<csr::sepc>(sepc + access.length);
}

}  // namespace tessera

extern "C" tessera::VcpuContext* tessera_handle_guest_page_fault(tessera::VcpuContext* vcpu,
                                                                 std::uint64_t scause) {
    tessera::handle_guest_page_fault(*vcpu, scause);
    return vcpu;
}
