// trapfuzz: a guest that executes pseudo-random instruction words, CSR
// accesses and SBI calls in VS- and VU-mode, a bounded number of them per
// seed, and checks that every one ends the way real hardware and a real SBI
// would end it (guests/trapfuzz/README.md). The hypervisor and the other
// partitions must not notice.
//
// bootargs: trapfuzz.seed=S[,S2,...] trapfuzz.count=C. Each seed runs C
// operations; between seeds the partition restarts itself (SBI SRST warm
// reboot) and a marker page above the arena says which seed is next. Per
// seed it prints
//   trapfuzz: seed S, count C
//   trapfuzz: seed S: M instructions, X csr ops, Y sbi calls, Z traps; alive
// and after the last one the totals, then SBI SRST shutdown (reason "system
// failure" if any check failed).
#include <cstdint>
#include <string_view>

#include "arch/riscv/csr.hpp"
#include "bootargs.hpp"
#include "console.hpp"
#include "guest_dt.hpp"
#include "layout.hpp"
#include "prng.hpp"
#include "counters.hpp"
#include "sbi.hpp"
#include "seed_run.hpp"

namespace trapfuzz {
namespace {

using guest::hex;
using guest::Out;
namespace sbi = guest::sbi;

constexpr std::uint64_t kDefaultCount = 2000;
constexpr unsigned kMaxSeeds = 16;
constexpr std::uint64_t kMarkerMagic = 0x7a7a756674726170;  // "trapfuzz"

// Survives SBI SRST warm reboot (the hypervisor reloads only the image and DTB).
struct Marker {
    std::uint64_t magic;
    std::uint64_t bootargs_hash;
    std::uint64_t next;  // index of the seed this boot runs
    std::uint64_t instructions, csr_ops, sbi_calls, traps, failures;
};

struct Options {
    std::uint64_t seeds[kMaxSeeds];
    unsigned seed_count = 0;
    std::uint64_t count = kDefaultCount;
};

std::uint64_t hash(std::string_view text) {
    std::uint64_t value = 0xcbf29ce484222325ULL;  // FNV-1a
    for (char c : text) value = (value ^ static_cast<std::uint8_t>(c)) * 0x100000001b3ULL;
    return value;
}

[[noreturn]] void give_up(std::string_view why) {
    Out() << "trapfuzz: FAIL " << why << "\n";
    sbi::shutdown(false);
}

Options read_options(std::string_view bootargs) {
    const guest::Bootargs args(bootargs);
    Options options;
    const auto count = args.number("trapfuzz.count", kDefaultCount);
    if (!count || *count == 0) give_up("bad option trapfuzz.count (a number from 1 is needed)");
    options.count = *count;
    if (const auto seeds = args.value("trapfuzz.seed")) {
        bool ok = !seeds->empty();
        guest::for_each_item(*seeds, [&](std::string_view item) {
            const auto seed = guest::parse_number(item);
            if (!seed || options.seed_count == kMaxSeeds) {
                ok = false;
                return;
            }
            options.seeds[options.seed_count++] = *seed;
        });
        if (!ok) give_up("bad option trapfuzz.seed (numbers separated by commas, at most 16)");
    } else {
        // No seed given: one from the clock, printed so that the run can be repeated.
        options.seeds[options.seed_count++] = splitmix64(tessera::arch::csr_read<tessera::arch::csr::time>()) >> 32;
    }
    return options;
}

}  // namespace
}  // namespace trapfuzz

// A trap outside a fuzz operation: the fuzzer's own code faulted.
extern "C" [[noreturn]] void trapfuzz_unexpected_trap(std::uint64_t scause, std::uint64_t sepc,
                                                      std::uint64_t stval) {
    using guest::hex;
    guest::Out() << "trapfuzz: FAIL trap outside a fuzz operation: scause " << hex(scause)
                 << " sepc " << hex(sepc) << " stval " << hex(stval) << "\n";
    guest::sbi::shutdown(false);
}

extern "C" [[noreturn]] void guest_main(std::uint64_t hart_id, const void* dtb) {
    using namespace trapfuzz;
    const guest::GuestDt dt = guest::read_guest_dt(dtb);
    Layout layout;
    const char* why = nullptr;
    if (hart_id != 0) give_up("not started on virtual hart 0");
    if (!plan_layout(dt, dtb, layout, why)) give_up(why);
    const Options options = read_options(dt.bootargs);

    auto* marker = reinterpret_cast<volatile Marker*>(layout.marker);
    const std::uint64_t args_hash = hash(dt.bootargs);
    if (marker->magic != kMarkerMagic || marker->bootargs_hash != args_hash ||
        marker->next >= options.seed_count) {
        marker->magic = kMarkerMagic;
        marker->bootargs_hash = args_hash;
        marker->next = 0;
        marker->instructions = 0;
        marker->csr_ops = 0;
        marker->sbi_calls = 0;
        marker->traps = 0;
        marker->failures = 0;
    }
    const std::uint64_t index = marker->next;
    const std::uint64_t seed = options.seeds[index];
    Out() << "trapfuzz: seed " << seed << ", count " << options.count << "\n";
    if (index == 0)
        Out() << "trapfuzz: arena " << hex(layout.arena) << ", PLIC " << hex(layout.plic)
              << ", 16550 " << hex(layout.uart) << ", " << options.seed_count << " seed(s)\n";

    SeedRun run(layout, seed);
    const Counters& counters = run.run(options.count);
    run.print_figures();
    if (counters.sbi_skipped != 0)
        Out() << "trapfuzz: seed " << seed << ": " << counters.sbi_skipped
              << " sbi calls not made (they would stop the partition)\n";
    if (counters.failures != 0)
        Out() << "trapfuzz: seed " << seed << ": " << counters.failures << " check(s) FAILED\n";
    Out() << "trapfuzz: seed " << seed << ": " << counters.instructions << " instructions, "
          << counters.csr_ops << " csr ops, " << counters.sbi_calls << " sbi calls, "
          << counters.traps << " traps; alive\n";

    marker->instructions = marker->instructions + counters.instructions;
    marker->csr_ops = marker->csr_ops + counters.csr_ops;
    marker->sbi_calls = marker->sbi_calls + counters.sbi_calls;
    marker->traps = marker->traps + counters.traps;
    marker->failures = marker->failures + counters.failures;
    if (index + 1 < options.seed_count) {
        marker->next = index + 1;
        Out() << "trapfuzz: rebooting for seed " << options.seeds[index + 1] << "\n";
        const std::int64_t error = sbi::warm_reboot();
        give_up(error == 0 ? "SRST warm reboot returned" : "SRST warm reboot refused");
    }
    const bool passed = marker->failures == 0;
    Out() << "trapfuzz: " << options.seed_count << " seed(s): " << marker->instructions
          << " instructions, " << marker->csr_ops << " csr ops, " << marker->sbi_calls
          << " sbi calls, " << marker->traps << " traps, " << marker->failures
          << " failed checks\n";
    marker->magic = 0;
    sbi::shutdown(passed);
}
