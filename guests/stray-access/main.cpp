// A guest that reads guest-physical memory its partition does not have.
// Until MMIO emulation lands, the hypervisor answers such an exit by
// stopping this partition only, with the fault's details on the console
// (tests/CMakeLists.txt: boot-stray-access-contained).
#include <cstdint>

#include "console.hpp"
#include "sbi.hpp"

namespace {
constexpr std::uint64_t kUnmapped = 0x40000000;  // no RAM or device of this partition
}

extern "C" [[noreturn]] void guest_main(std::uint64_t, const void*) {
    guest::Out() << "stray-access: reading " << guest::hex(kUnmapped) << "\n";
    const std::uint64_t value = *reinterpret_cast<volatile std::uint64_t*>(kUnmapped);
    guest::Out() << "stray-access: read " << guest::hex(value) << ", the hypervisor let it through\n";
    guest::sbi::shutdown(true);
}
