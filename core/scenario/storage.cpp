// Storage sized by the generated tables of one scenario, and the compile-time
// checks of what tools/cfggen promises about them. Compiled once per scenario.
#include <array>
#include <cstddef>
#include <iterator>

#include "console/console_service.hpp"
#include "mm/stage2.hpp"
#include "platform_api.hpp"
#include "sbi/sbi_defs.hpp"
#include "scenario/scenario.hpp"
#include "tessera_scenario.hpp"
#include "vcpu/host_timer.hpp"

namespace tessera {
namespace {

using scenario::kHartCount;
using scenario::kPartitionCount;
using scenario::kPartitions;

inline constexpr std::size_t kStackSize = std::size_t{16} * 1024;

constexpr std::size_t total_stage2_pages() {
    std::size_t pages = 0;
    for (const cfg::PartitionSpec& spec : kPartitions) pages += spec.stage2_pages;
    return pages;
}

constexpr bool harts_valid_and_exclusive() {
    std::array<bool, kHartCount> used{};
    for (const cfg::PartitionSpec& spec : kPartitions) {
        if (spec.harts.empty()) return false;
        for (std::uint32_t hart : spec.harts) {
            if (hart >= kHartCount || used[hart]) return false;
            used[hart] = true;
        }
    }
    return true;
}

constexpr bool ram_disjoint_across_partitions() {
    for (std::size_t a = 0; a < kPartitionCount; ++a)
        for (std::size_t b = a + 1; b < kPartitionCount; ++b)
            for (const cfg::MemRegion& x : kPartitions[a].regions)
                for (const cfg::MemRegion& y : kPartitions[b].regions) {
                    if (x.kind != cfg::MemKind::Ram || y.kind != cfg::MemKind::Ram) continue;
                    if (x.hpa < y.hpa + y.size && y.hpa < x.hpa + x.size) return false;
                }
    return true;
}

constexpr bool ram_outside_hypervisor() {
    const std::uint64_t hv_end = scenario::kHypervisorBase + scenario::kHypervisorSize;
    for (const cfg::PartitionSpec& spec : kPartitions)
        for (const cfg::MemRegion& region : spec.regions)
            if (region.kind == cfg::MemKind::Ram && region.hpa < hv_end &&
                scenario::kHypervisorBase < region.hpa + region.size)
                return false;
    return true;
}

constexpr bool partitions_well_formed() {
    for (const cfg::PartitionSpec& spec : kPartitions) {
        if (!mm::regions_well_formed(spec.regions)) return false;
        if (mm::pages_needed(spec.regions) != spec.stage2_pages) return false;
        if (spec.vmid == 0) return false;
    }
    return true;
}

static_assert(kPartitionCount > 0 && kPartitionCount == std::size(kPartitions));
static_assert(harts_valid_and_exclusive(), "a physical hart is missing or given twice");
static_assert(partitions_well_formed(),
              "stage-2 regions malformed, or cfggen and mm::pages_needed disagree");
static_assert(ram_disjoint_across_partitions(), "partition RAM overlaps in host memory");
static_assert(ram_outside_hypervisor(), "partition RAM overlaps the hypervisor region");

constexpr bool emulated_devices_fit() {
    for (const cfg::PartitionSpec& spec : kPartitions) {
        std::size_t plics = 0, uarts = 0;
        for (const cfg::EmulatedDevice& device : spec.emulated) {
            if (device.kind == cfg::EmulatedKind::Plic) {
                ++plics;
                if (device.sources == 0 || device.sources >= irq::kMaxVirtualSources) return false;
            } else {
                ++uarts;
                if (device.irq >= irq::kMaxVirtualSources) return false;
            }
        }
        if (plics > 1 || uarts > kMaxVirtualUarts) return false;
        if (spec.harts.size() > irq::kMaxVirtualHarts) return false;
    }
    return true;
}

constexpr bool passthrough_irqs_routable() {
    for (const cfg::PartitionSpec& spec : kPartitions)
        for (const cfg::IrqRoute& route : spec.irqs)
            if (spec.irqs.size() > cfg::kMaxPassthroughIrqs || scenario::kPlic.base == 0 ||
                route.host_irq == 0 ||
                route.host_irq > scenario::kPlic.sources || route.guest_irq == 0 ||
                route.guest_irq >= irq::kMaxVirtualSources)
                return false;
    return true;
}

constexpr bool sstc_only_on_sstc_hosts() {
    for (const cfg::PartitionSpec& spec : kPartitions)
        if (spec.sstc && !scenario::kHostSstc) return false;
    return true;
}

// The console's interrupt is the hypervisor's input (console_service.cpp),
// or, with a console owner, that partition's passthrough interrupt: no other
// partition may have it routed.
constexpr bool console_irq_owned_once() {
    for (std::size_t index = 0; index < kPartitionCount; ++index)
        for (const cfg::IrqRoute& route : kPartitions[index].irqs)
            if (route.host_irq == scenario::kConsole.irq &&
                static_cast<int>(index) != scenario::kConsoleOwner)
                return false;
    return true;
}

// Only the console owner, if any, has the console's registers in stage 2, and it does.
constexpr bool console_mapped_by_owner_only() {
    for (std::size_t index = 0; index < kPartitionCount; ++index) {
        bool mapped = false;
        for (const cfg::MemRegion& region : kPartitions[index].regions)
            if (region.kind == cfg::MemKind::Mmio && region.hpa <= scenario::kConsole.base &&
                scenario::kConsole.base - region.hpa < region.size)
                mapped = true;
        if (mapped != (static_cast<int>(index) == scenario::kConsoleOwner)) return false;
    }
    return true;
}

static_assert(scenario::kConsoleOwner >= -1 &&
                  scenario::kConsoleOwner < static_cast<int>(kPartitionCount),
              "the console owner is not a partition");
static_assert(console_mapped_by_owner_only(),
              "the console's registers are mapped into a partition that does not own it");
static_assert(console_irq_owned_once(),
              "the console's interrupt is routed to a partition that does not own the console");
static_assert(emulated_devices_fit(), "a partition has more emulated devices than Tessera holds");
static_assert(passthrough_irqs_routable(), "a passthrough interrupt has no physical PLIC source");
static_assert(sstc_only_on_sstc_hosts(), "a guest is given Sstc on a host without it");

constexpr std::size_t kStage2Pages = total_stage2_pages();

// All of this is constant-initialised (.bss/.data): no global constructor runs.
alignas(16384) mm::PageTable g_stage2_pool[kStage2Pages];
constinit std::array<Partition, kPartitionCount> g_partitions;
constinit std::array<VcpuContext, kHartCount> g_vcpus{};
constinit std::array<ConsoleMux::Source, kPartitionCount> g_console_sources{};
// Prefix colours (tessera,console-colour on the scenario): the hypervisor's
// own lines bold, the partitions in turn cyan, yellow, magenta, green, blue.
constexpr std::string_view kOwnColour = "\x1b[1m";
constexpr std::string_view kPartitionColours[] = {"\x1b[36m", "\x1b[33m", "\x1b[35m",
                                                  "\x1b[32m", "\x1b[34m"};
constinit ConsoleMux g_console{platform::console_write, g_console_sources,
                               scenario::kConsoleColour ? kOwnColour : std::string_view{}};
constinit ConsoleInput g_input{platform::console_read_byte, console_input_announce,
                               kPartitionCount};
constinit Scenario g_scenario{scenario::kName,   scenario::kPlatform, scenario::kConfigHash,
                              g_partitions,      g_vcpus,             g_console,
                              g_input,           scenario::kPlic,
                              scenario::kConsole.irq, scenario::kTimebaseHz,
                              scenario::kConsoleOwner};

}  // namespace
}  // namespace tessera

// Per-hart stacks, used by entry.S.
extern "C" {
alignas(16) unsigned char tessera_stacks[tessera::kHartCount][tessera::kStackSize];
extern const std::uint64_t tessera_stack_size = tessera::kStackSize;
extern const std::uint32_t tessera_hart_count = tessera::kHartCount;
}

namespace tessera {

Scenario& scenario_runtime() { return g_scenario; }

void scenario_init() {
    std::size_t first_page = 0;
    for (std::size_t i = 0; i < kPartitionCount; ++i) {
        Partition& partition = g_partitions[i];
        partition.spec = &kPartitions[i];
        partition.index = static_cast<std::uint32_t>(i);
        partition.stage2 =
            std::span(g_stage2_pool).subspan(first_page, kPartitions[i].stage2_pages);
        first_page += kPartitions[i].stage2_pages;
        g_console_sources[i].name = kPartitions[i].name;
        if (scenario::kConsoleColour)
            g_console_sources[i].colour = kPartitionColours[i % std::size(kPartitionColours)];
        partition.watchdog_ticks = std::uint64_t{kPartitions[i].watchdog_ms} * scenario::kTimebaseHz / 1000;
        for (std::uint32_t vhart = 0; vhart < kPartitions[i].harts.size(); ++vhart) {
            VcpuContext& vcpu = g_vcpus[kPartitions[i].harts[vhart]];
            vcpu.partition = &partition;
            vcpu.vhart = vhart;
            vcpu.timer_mode = kPartitions[i].sstc ? TimerMode::Sstc : TimerMode::StandIn;
            if (vhart == 0 && partition.watchdog_ticks != 0) vcpu.timer_mode = TimerMode::Watched;
        }
        partition.several_harts = kPartitions[i].harts.size() > 1;
        partition_reset_devices(partition);
    }
    for (std::uint32_t hart = 0; hart < kHartCount; ++hart) {
        g_vcpus[hart].phys_hart = hart;
        g_vcpus[hart].hsm_state.store(sbi::hsm_state::STOPPED);
        g_vcpus[hart].hv_stack_top =
            reinterpret_cast<std::uintptr_t>(&tessera_stacks[hart][0]) + kStackSize;
    }
}

}  // namespace tessera
