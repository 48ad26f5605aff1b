// The "hello" guest: proves the whole path works. It prints, checks the DTB
// the hypervisor handed it and the SBI it sees, then shuts down through SBI
// SRST with success only if every check passed.
#include <cstdint>
#include <string_view>

#include "console.hpp"
#include "fdt.hpp"
#include "sbi.hpp"

namespace {

using guest::hex;
using guest::Out;

struct Checks {
    unsigned passed = 0;
    unsigned failed = 0;

    void expect(bool ok, std::string_view what) {
        Out() << (ok ? "PASS " : "FAIL ") << what << "\n";
        ++(ok ? passed : failed);
    }
};

struct DtbFacts {
    bool memory_node_found = false;
    std::uint64_t memory_base = 0, memory_size = 0;
    unsigned tessera_properties = 0;
    bool bootargs_match = false;
};

DtbFacts inspect(const guest::Fdt& fdt) {
    DtbFacts facts;
    fdt.for_each_property([&](int depth, std::string_view node, std::string_view property,
                              const std::uint8_t* value, std::uint32_t length) {
        if (property.substr(0, 8) == "tessera,") ++facts.tessera_properties;
        if (depth == 1 && node == "memory@80000000" && property == "reg" && length == 16) {
            facts.memory_node_found = true;
            facts.memory_base = guest::Fdt::read64(value);
            facts.memory_size = guest::Fdt::read64(value + 8);
        }
        if (depth == 1 && node == "chosen" && property == "bootargs") {
            const std::string_view expected = "hello from the guest device tree";
            facts.bootargs_match =
                length == expected.size() + 1 &&
                std::string_view(reinterpret_cast<const char*>(value), expected.size()) == expected;
        }
    });
    return facts;
}

}  // namespace

extern "C" [[noreturn]] void guest_main(std::uint64_t hart_id, const void* dtb) {
    Out() << "hello: running on virtual hart " << hart_id << ", DTB at "
          << hex(reinterpret_cast<std::uintptr_t>(dtb)) << "\n";
    Checks checks;
    checks.expect(hart_id == 0, "boot hart is virtual hart 0");

    const guest::Fdt fdt(dtb);
    checks.expect(fdt.valid(), "DTB header magic");
    if (fdt.valid()) {
        const DtbFacts facts = inspect(fdt);
        checks.expect(facts.memory_node_found && facts.memory_base == 0x80000000 &&
                          facts.memory_size == 0x4000000,
                      "DTB memory node is this partition's RAM (64 MiB at 0x80000000)");
        checks.expect(facts.tessera_properties == 0, "DTB has no tessera,* properties");
        checks.expect(facts.bootargs_match, "DTB /chosen/bootargs from the guest .dts");
    }

    using namespace guest::sbi;
    const Ret spec = call(kBase, 0);
    checks.expect(spec.error == 0 && spec.value >= (2ULL << 24), "SBI spec version is 2.0 or later");
    checks.expect(call(kBase, 1).value == 0x54455353, "SBI implementation is Tessera");
    checks.expect(call(kBase, 3, kDbcn).value == 1, "SBI probe finds DBCN");
    checks.expect(call(kBase, 3, 0x0A000000).value == 0, "SBI probe denies an unknown extension");
    checks.expect(call(0x0A000000, 0).error == -2, "unknown extension returns NOT_SUPPORTED");
    checks.expect(call(kDbcn, 0, 16, 0x1000, 0).error == -3,
                  "DBCN write outside the partition's RAM is refused");

    Out() << "hello: " << checks.passed << " passed, " << checks.failed << " failed\n";
    shutdown(checks.failed == 0);
}
