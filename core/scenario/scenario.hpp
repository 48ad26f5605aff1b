// The run-time view of the generated scenario: spans over the storage that
// core/scenario/storage.cpp sizes from the generated tables.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "config/types.hpp"
#include "console/console_input.hpp"
#include "console/console_mux.hpp"
#include "partition/partition.hpp"
#include "vcpu/vcpu_context.hpp"

namespace tessera {

struct Scenario {
    std::string_view name;
    std::string_view platform;
    std::string_view config_hash;
    std::span<Partition> partitions;
    std::span<VcpuContext> vcpus;  // indexed by physical hart id; partition == nullptr: unused
    ConsoleMux& console;
    ConsoleInput& input;
    cfg::PlicDevice plic;  // the physical PLIC (base 0: none)
    std::uint32_t console_irq;  // the console's receive interrupt on it (0: none)
    std::uint64_t timebase_hz;  // the rate of the time CSR
    int console_owner;  // the partition that owns the console UART by passthrough; -1: none
};

Scenario& scenario_runtime();

// Links partitions, vCPUs, page-table pools and console sources together.
// Runs once, on the boot hart, before anything else uses scenario_runtime().
void scenario_init();

// The next console input byte for partition `index`, -1 if none. A focused
// partition that finds no input is waiting for some: what it has printed of
// its current line (a prompt) is shown now rather than when the line ends.
inline int partition_console_read(std::uint32_t index) {
    Scenario& s = scenario_runtime();
    const int byte = s.input.read_for(index);
    if (byte < 0 && s.input.focus() == index) s.console.show_partial(index);
    return byte;
}

// The hypervisor's own log line, "[tessera] ..." on the console.
inline void log(std::string_view text) { scenario_runtime().console.log(text); }

}  // namespace tessera
