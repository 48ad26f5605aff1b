// A partition at run time: its generated specification, its slice of the
// stage-2 page-table pool and its lifecycle state.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string_view>

#include "config/types.hpp"
#include "mm/stage2.hpp"

namespace tessera {

// 32-bit so that atomics on it are native AMOs (no libatomic).
enum class PartitionState : std::uint32_t { Loaded, Running, Stopped, Failed };

struct Partition {
    const cfg::PartitionSpec* spec = nullptr;
    std::span<mm::PageTable> stage2;  // root first (16 KiB aligned)
    std::uint32_t index = 0;          // also its console source index
    std::atomic<PartitionState> state{PartitionState::Loaded};
    std::atomic<std::uint32_t> harts_running{0};

    std::uint64_t hgatp() const;
};

static_assert(std::atomic<PartitionState>::is_always_lock_free);

// Builds the stage-2 tables and copies the image and DTB into the
// partition's RAM from the pristine embedded copies. False on a pool that
// doesn't match the tables (reported; the partition is not started).
bool partition_load(Partition& partition);

// Marks the partition stopped (or failed) once, whoever calls first. When
// every partition has finished, the machine powers off with success only if
// none failed.
void partition_finish(Partition& partition, bool failed, std::string_view why);

// Stops the calling vhart's partition. `failed` selects the exit status the
// hypervisor reports; when every partition has stopped, the machine powers
// off with success only if none failed. Never returns: this hart parks.
[[noreturn]] void partition_stop(Partition& partition, bool failed, std::string_view why);

}  // namespace tessera
