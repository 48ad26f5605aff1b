// Boot flow: the hart OpenSBI started sets the machine up, starts the other
// partition harts through SBI HSM, and every hart enters its vCPU.
#include <atomic>

#include "arch/riscv/csr.hpp"
#include "arch/riscv/sbi_client.hpp"
#include "console/console_service.hpp"
#include "lib/text.hpp"
#include "platform_api.hpp"
#include "sbi/sbi_defs.hpp"
#include "scenario/scenario.hpp"
#include "irq/passthrough.hpp"
#include "vcpu/hart_requests.hpp"
#include "vcpu/vcpu.hpp"
#include "version.hpp"

extern "C" char tessera_secondary[];

namespace tessera {
namespace {

std::atomic<std::uint32_t> g_boot_done{0};  // 32-bit: a native AMO on RISC-V
std::atomic<std::uint32_t> g_harts_arrived{0};  // secondary harts in tessera_secondary_main

// Waits (at most kHartArrivalSeconds) until the `started` secondary harts
// have come out of the SBI firmware into the hypervisor. Generous: on a
// loaded host QEMU may not run a hart's thread for a while.
constexpr std::uint64_t kHartArrivalSeconds = 5;

void wait_for_harts(std::uint32_t started) {
    const std::uint64_t deadline =
        arch::csr_read<arch::csr::time>() + kHartArrivalSeconds * scenario_runtime().timebase_hz;
    while (g_harts_arrived.load(std::memory_order_acquire) < started) {
        if (arch::csr_read<arch::csr::time>() > deadline) {
            Line line;
            line << dec(started - g_harts_arrived.load()) << " of " << dec(started)
                 << " started harts did not arrive within " << dec(kHartArrivalSeconds)
                 << " s; going on without waiting";
            log(line.view());
            return;
        }
    }
}

void print_banner(std::uint64_t boot_hart) {
    Scenario& s = scenario_runtime();
    Line line;
    line << "Tessera " << kVersion << ", static partitioning hypervisor for RISC-V";
    log(line.view());
    Line facts;
    facts << "platform " << s.platform << ", scenario " << s.name << ", config "
          << s.config_hash.substr(0, 16) << ", boot hart " << dec(boot_hart);
    log(facts.view());
}

void describe(const Partition& partition) {
    const cfg::PartitionSpec& spec = *partition.spec;
    Line line;
    line << "partition " << spec.name << ": vmid " << dec(spec.vmid) << ", harts";
    for (std::uint32_t hart : spec.harts) line << ' ' << dec(hart);
    line << ", entry " << hex(spec.entry_gpa) << ", dtb " << hex(spec.dtb_gpa);
    log(line.view());
    for (const cfg::MemRegion& region : spec.regions) {
        Line mapping;
        mapping << "  " << (region.kind == cfg::MemKind::Ram ? "ram  " : "mmio ") << hex(region.gpa)
                << " -> " << hex(region.hpa) << " size " << hex(region.size);
        log(mapping.view());
    }
}

// Virtual hart 0 of each partition enters its guest, as SBI firmware starts
// only the boot hart; the partition's other harts wait parked for its SBI HSM
// hart_start. Harts that belong to no partition stay halted.
[[noreturn]] void run_or_park(std::uint64_t hartid) {
    VcpuContext& vcpu = scenario_runtime().vcpus[hartid];
    if (vcpu.partition == nullptr) arch::halt_hart();
    Partition& partition = *vcpu.partition;
    if (vcpu.vhart != 0 || partition.state.load() != PartitionState::Running) park_hart(vcpu);
    passthrough_irqs_attach(partition);
    vcpu_start(vcpu, partition.spec->entry_gpa, partition.spec->dtb_gpa);
}

}  // namespace
}  // namespace tessera

extern "C" [[noreturn]] void tessera_boot_main(std::uint64_t hartid, std::uint64_t /*dtb*/) {
    using namespace tessera;
    scenario_init();
    platform::console_init();
    print_banner(hartid);
    Scenario& s = scenario_runtime();

    for (Partition& partition : s.partitions) {
        describe(partition);
        if (partition_load(partition)) {
            partition.state.store(PartitionState::Running);
        } else {
            partition_finish(partition, true, "could not be loaded");
        }
    }
    // The other harts first: OpenSBI's start of a hart resets that hart's
    // PLIC contexts, so interrupts are routed only once every hart is here.
    std::uint32_t started = 0;
    for (Partition& partition : s.partitions) {
        if (partition.state.load() != PartitionState::Running) continue;
        for (std::uint32_t hart : partition.spec->harts) {
            if (hart == hartid) continue;
            const arch::SbiRet ret =
                arch::firmware_call(sbi::ext::HSM, sbi::hsm_fn::HART_START, hart,
                                    reinterpret_cast<std::uintptr_t>(tessera_secondary), 0);
            if (ret.error != 0) {
                Line line;
                line << "hart " << dec(hart) << " did not start (SBI error "
                     << dec(static_cast<std::uint64_t>(-ret.error)) << ")";
                tessera::log(line.view());
                partition_finish(partition, true, "a hart could not be started");
            } else {
                ++started;
            }
        }
    }
    wait_for_harts(started);
    if (s.console_owner >= 0) {
        console_hand_over();
    } else {
        console_input_attach();
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    g_boot_done.store(1, std::memory_order_release);
    run_or_park(hartid);
}

extern "C" [[noreturn]] void tessera_secondary_main(std::uint64_t hartid) {
    using namespace tessera;
    g_harts_arrived.fetch_add(1, std::memory_order_acq_rel);
    while (g_boot_done.load(std::memory_order_acquire) == 0) {
    }
    run_or_park(hartid);
}
