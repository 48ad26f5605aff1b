// Memory outside the partition: the other partition's RAM and code, the
// hypervisor's region (its image, stacks and stage-2 page tables), the SBI
// firmware, and the doublewords just outside its own RAM. Every load and
// store must raise the access fault real hardware raises where nothing is
// (scause 5 or 7, stval = the address), every jump there an instruction
// access fault (scause 1).
#include "attacks.hpp"
#include "attempt.hpp"
#include "harts.hpp"

namespace hostile {
namespace {

using tessera::hex;
using tessera::Line;
namespace cause = guest::cause;

// What stores write: an escape would leave it behind.
constexpr std::uint64_t kPattern = 0x05ca9eba'd0c0ffee;
constexpr std::uint64_t kPage = 4096;

void load_and_store(std::uint64_t address, std::string_view what) {
    guest::FaultCatcher& catcher = my_hart().catcher;
    {
        Line name;
        name << "load " << hex(address) << " (" << what << ")";
        Attempt attempt(name.view(), "load access fault");
        const guest::Probe probe = guest::probe_load(catcher, address);
        if (!attempt.expect_fault(probe.caught, cause::kLoadAccess, address) && !probe.caught.taken)
            attempt.escape() << "it read " << hex(probe.value);
    }
    {
        Line name;
        name << "store " << hex(address) << " (" << what << ")";
        Attempt attempt(name.view(), "store access fault");
        attempt.expect_fault(guest::probe_store(catcher, address, kPattern).caught,
                             cause::kStoreAccess, address);
    }
}

// One load and one store in every page of `range`: all must fault.
void sweep(const Range& range, std::string_view what) {
    guest::FaultCatcher& catcher = my_hart().catcher;
    const std::uint64_t pages = range.size / kPage;
    Line name;
    name << "sweep " << what << ", " << tessera::dec(pages) << " pages";
    Attempt attempt(name.view(), "every load and store faults");
    std::uint64_t faults = 0;
    bool reported = false;
    for (std::uint64_t page = 0; page < pages; ++page) {
        // A different doubleword of each page, so that a page mapped only in
        // part can't hide.
        const std::uint64_t address = range.base + page * kPage + (page * 8) % kPage;
        const bool load = guest::access_faulted(guest::probe_load(catcher, address).caught, false,
                                                address);
        const bool store = guest::access_faulted(
            guest::probe_store(catcher, address, kPattern).caught, true, address);
        faults += (load ? 1 : 0) + (store ? 1 : 0);
        if ((!load || !store) && !reported) {
            attempt.escape() << "first at " << hex(address) << (load ? " (store)" : " (load)");
            reported = true;
        }
    }
    attempt.expect_eq("faults", faults, 2 * pages);
}

void execute(std::uint64_t address, std::string_view what) {
    Line name;
    name << "jump to " << hex(address) << " (" << what << ")";
    Attempt attempt(name.view(), "instruction access fault");
    const guest::Caught caught = my_hart().catcher.run([&] {
        asm volatile("jalr ra, 0(%0)" : : "r"(address) : "ra", "memory");
    });
    attempt.expect_fault(caught, cause::kInsnAccess, address);
}

}  // namespace

void attack_memory(const Targets& t) {
    load_and_store(t.other_ram.base, "other partition's RAM");
    load_and_store(t.other_code, "other partition's code");
    load_and_store(t.other_ram.end() - 8, "other partition's last RAM");
    load_and_store(t.hypervisor.base, "hypervisor image");
    load_and_store(t.hypervisor.end() - 8, "hypervisor region end");
    load_and_store(t.firmware.base, "SBI firmware");
    load_and_store(t.own_ram.base - 8, "just below own RAM");
    load_and_store(t.own_ram.end(), "just above own RAM");
    execute(t.hypervisor.base, "hypervisor image");
    execute(t.other_code, "other partition's code");
    execute(t.firmware.base, "SBI firmware");
    sweep(t.other_ram, "other partition's RAM");
    sweep(t.hypervisor, "hypervisor image, stacks, page tables");
    sweep(t.firmware, "SBI firmware");
}

}  // namespace hostile
