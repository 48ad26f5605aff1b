#include "partition/partition.hpp"

#include <cstring>

#include "arch/riscv/csr.hpp"
#include "lib/text.hpp"
#include "partition/guest_memory.hpp"
#include "platform_api.hpp"
#include "scenario/scenario.hpp"

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

void partition_stop(Partition& partition, bool failed, std::string_view why) {
    partition_finish(partition, failed, why);
    arch::csr_write<arch::csr::hgatp>(0);
    arch::halt_hart();
}

}  // namespace tessera
