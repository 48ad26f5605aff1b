// A guest that reads guest-physical memory its partition does not have, and
// has no trap handler (stvec = 0, where it has no memory either). The
// hypervisor injects the load access fault real hardware would raise; the
// guest can't take it, and that double trap stops this partition only, with
// the details on the console (tests/CMakeLists.txt: boot-stray-access-contained).
// guests/conformance checks the access fault itself with a handler installed.
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
