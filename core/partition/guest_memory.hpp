// Guest-physical ranges the hypervisor may touch on a partition's behalf
// (for example an SBI DBCN buffer). Only the partition's own RAM qualifies,
// and the whole range must lie in one region: a guest can't make the
// hypervisor read or write outside its RAM, or wrap around.
#pragma once

#include <cstdint>
#include <span>

#include "config/types.hpp"

namespace tessera {

// Host-physical address of [gpa, gpa + length) when all of it is RAM of one
// region, else 0 (host address 0 is never partition RAM).
inline std::uint64_t guest_ram_to_host(std::span<const cfg::MemRegion> regions, std::uint64_t gpa,
                                       std::uint64_t length) {
    if (length == 0) return 0;
    const std::uint64_t last = gpa + (length - 1);
    if (last < gpa) return 0;  // wraps
    for (const cfg::MemRegion& region : regions) {
        if (region.kind != cfg::MemKind::Ram) continue;
        const std::uint64_t region_last = region.gpa + (region.size - 1);
        if (gpa >= region.gpa && last <= region_last) return region.hpa + (gpa - region.gpa);
    }
    return 0;
}

}  // namespace tessera
