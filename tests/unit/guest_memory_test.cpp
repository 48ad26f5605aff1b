#include <doctest/doctest.h>

#include "partition/guest_memory.hpp"

using tessera::guest_ram_to_host;
using tessera::cfg::MemKind;
using tessera::cfg::MemRegion;

TEST_CASE("only ranges wholly inside one RAM region translate") {
    const MemRegion regions[] = {
        {0x10000000, 0x10000000, 0x1000, MemKind::Mmio},
        {0x80000000, 0x88000000, 0x4000000, MemKind::Ram},
    };
    CHECK(guest_ram_to_host(regions, 0x80000000, 16) == 0x88000000);
    CHECK(guest_ram_to_host(regions, 0x83fffff0, 16) == 0x8bfffff0);
    CHECK(guest_ram_to_host(regions, 0x83fffff0, 17) == 0);      // runs past the end
    CHECK(guest_ram_to_host(regions, 0x7ffffff0, 32) == 0);      // starts before
    CHECK(guest_ram_to_host(regions, 0x10000000, 4) == 0);       // device, not RAM
    CHECK(guest_ram_to_host(regions, 0x80000000, 0) == 0);       // empty
    CHECK(guest_ram_to_host(regions, ~0ULL - 4, 16) == 0);       // wraps around
    CHECK(guest_ram_to_host(regions, 0x80000000, ~0ULL) == 0);   // huge
}
