#include "partition/partition.hpp"

#include <cstring>

#include "arch/riscv/csr.hpp"
#include "irq/passthrough.hpp"
#include "lib/text.hpp"
#include "partition/guest_memory.hpp"
#include "platform_api.hpp"
#include "scenario/scenario.hpp"
#include "vcpu/hart_requests.hpp"
#include "vcpu/vcpu.hpp"

namespace tessera {

std::uint64_t Partition::hgatp() const {
    const auto root = reinterpret_cast<std::uintptr_t>(stage2.data());
    return arch::hgatp_bits::MODE_SV39X4 |
           (static_cast<std::uint64_t>(spec->vmid) << arch::hgatp_bits::VMID_SHIFT) |
           (root / mm::kPageSize);
}

bool partition_load(Partition& partition) {
    const cfg::PartitionSpec& spec = *partition.spec;
    const std::size_t used = mm::build_stage2(partition.stage2, spec.regions);
    if (used == 0) {
        Line line;
        line << "partition " << spec.name << ": stage-2 pool too small, not started";
        log(line.view());
        return false;
    }
    for (const cfg::LoadChunk& chunk : spec.loads) {
        const std::uint64_t host = guest_ram_to_host(spec.regions, chunk.gpa, chunk.mem_size);
        if (host == 0) return false;  // cfggen guarantees this can't happen
        // NOLINTNEXTLINE(performance-no-int-to-ptr): the partition's RAM at its host address
        auto* destination = reinterpret_cast<std::uint8_t*>(host);
        std::memcpy(destination, chunk.data, chunk.file_size);
        std::memset(destination + chunk.file_size, 0, chunk.mem_size - chunk.file_size);
    }
    return true;
}

namespace {

std::atomic<std::uint32_t> g_partitions_done{0};
std::atomic<std::uint32_t> g_any_failed{0};

}  // namespace

void partition_finish(Partition& partition, bool failed, std::string_view why) {
    // Whichever hart stops the partition first accounts for it, once.
    const PartitionState final_state = failed ? PartitionState::Failed : PartitionState::Stopped;
    PartitionState current = partition.state.load();
    do {
        if (current == PartitionState::Stopped || current == PartitionState::Failed) return;
    } while (!partition.state.compare_exchange_weak(current, final_state));

    scenario_runtime().console.flush(partition.index);
    Line line;
    line << "partition " << partition.spec->name << (failed ? " failed: " : " stopped: ") << why;
    log(line.view());
    if (failed) g_any_failed.store(1);
    const std::uint32_t done = g_partitions_done.fetch_add(1) + 1;
    if (done == scenario_runtime().partitions.size()) {
        const bool success = g_any_failed.load() == 0;
        log(success ? "all partitions stopped: pass" : "all partitions stopped: FAIL");
        platform::power_off(success, 1);
    }
}

namespace {

// Parks every other virtual hart of the caller's partition and waits until
// they are all parked (serving the caller's own requests meanwhile: one of
// them may be waiting for a fence from it).
void park_other_harts(VcpuContext& self) {
    const std::span<const std::uint32_t> harts = self.partition->spec->harts;
    for (std::uint32_t vhart = 0; vhart < harts.size(); ++vhart) {
        if (vhart == self.vhart) continue;
        VcpuContext& other = partition_vcpu(self, vhart);
        // A hart asked to start but not yet running stays stopped.
        std::uint32_t expected = sbi::hsm_state::START_PENDING;
        other.hsm_state.compare_exchange_strong(expected, sbi::hsm_state::STOPPED);
        if (other.hsm_state.load() != sbi::hsm_state::STOPPED) post_request(other, request::PARK);
    }
    for (std::uint32_t vhart = 0; vhart < harts.size(); ++vhart) {
        if (vhart == self.vhart) continue;
        VcpuContext& other = partition_vcpu(self, vhart);
        while (other.hsm_state.load() != sbi::hsm_state::STOPPED) serve_requests(self);
    }
}

}  // namespace

void partition_reset_devices(Partition& partition) {
    DevicesGuard guard(partition);
    std::uint32_t plic_sources = 0;
    for (const cfg::EmulatedDevice& device : partition.spec->emulated)
        if (device.kind == cfg::EmulatedKind::Plic) plic_sources = device.sources;
    partition.plic.reset(plic_sources, static_cast<std::uint32_t>(partition.spec->harts.size()));
    for (console::VirtualUart& uart : partition.uarts) uart.reset();
    partition.vseip_published = 0;
}

void partition_stop(VcpuContext& self, bool failed, std::string_view why) {
    Partition& partition = *self.partition;
    park_other_harts(self);
    passthrough_irqs_detach(partition);
    partition_finish(partition, failed, why);
    park_hart(self);
}

void partition_fault(VcpuContext& self, std::string_view why) {
    if (self.partition->spec->fault_policy == cfg::FaultPolicy::Restart)
        partition_restart(self, why);
    partition_stop(self, true, why);
}

void partition_restart(VcpuContext& self, std::string_view why) {
    Partition& partition = *self.partition;
    scenario_runtime().console.flush(partition.index);
    Line line;
    line << "partition " << partition.spec->name << " restarting: " << why;
    log(line.view());
    park_other_harts(self);
    passthrough_irqs_detach(partition);
    partition_reset_devices(partition);
    if (!partition_load(partition)) partition_stop(self, true, "could not be reloaded");
    passthrough_irqs_attach(partition);
    const cfg::PartitionSpec& spec = *partition.spec;
    if (self.vhart == 0) vcpu_start(self, spec.entry_gpa, spec.dtb_gpa);
    VcpuContext& first = partition_vcpu(self, 0);
    first.start_addr = spec.entry_gpa;
    first.start_opaque = spec.dtb_gpa;
    first.hsm_state.store(sbi::hsm_state::START_PENDING);
    post_request(first, request::START);
    park_hart(self);
}

}  // namespace tessera
