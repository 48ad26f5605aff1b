// prober: a guest that tries to reach outside its partition, for the fault
// containment tests (guests/prober/README.md).
//
// 1. Loads from and stores to every address in bootargs `probe=A,B,...`
//    (another partition's RAM, the hypervisor, host devices): each must raise
//    a load (scause 5) or store (scause 7) access fault with stval = the
//    address, which the hypervisor injects; the trap handler steps over the
//    faulting instruction.
// 2. SBI calls aimed at harts outside the partition (HSM, IPI, RFENCE) and
//    DBCN buffers outside its RAM must return SBI_ERR_INVALID_PARAM.
// 3. Probes everything again `rounds` times, `round-ms` apart, counting
//    faults, so that another partition's output can be seen to go on
//    meanwhile; then SBI SRST shutdown, with "system failure" if anything
//    failed.
//
// It runs on one hart with its MMU off; its RAM should be identity-mapped
// (guest-physical = host-physical) so that the addresses it probes are the
// host-physical addresses they name (guests/CMakeLists.txt links it at
// 0x98000000, tests/configs/prober.dts).
#include <cstdint>
#include <optional>
#include <string_view>

#include "arch/riscv/csr.hpp"
#include "bootargs.hpp"
#include "console.hpp"
#include "fault_catcher.hpp"
#include "guest_dt.hpp"
#include "sbi.hpp"

extern "C" void guest_trap_entry();
extern "C" char _start[];

namespace {

using guest::hex;
using guest::Out;
using guest::sbi_error;
using tessera::arch::csr_read;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;
namespace sbi = guest::sbi;

constexpr unsigned kMaxProbes = 16;
// What the stores write: not a command any QEMU virt device acts on.
constexpr std::uint64_t kPattern = 0x7e55e7a0'5eed0bad;

guest::FaultCatcher g_catcher;

enum class Kind { Load, Store };

guest::Probe probe(Kind kind, std::uint64_t address) {
    return kind == Kind::Load ? guest::probe_load(g_catcher, address)
                              : guest::probe_store(g_catcher, address, kPattern);
}

bool faulted_as_expected(Kind kind, std::uint64_t address, const guest::Caught& caught) {
    return guest::access_faulted(caught, kind == Kind::Store, address);
}

struct Totals {
    unsigned passed = 0, failed = 0;
};

void check_probe(Totals& totals, Kind kind, std::uint64_t address) {
    const char* what = kind == Kind::Load ? "load " : "store ";
    const guest::Probe outcome = probe(kind, address);
    if (faulted_as_expected(kind, address, outcome.caught)) {
        Out() << "prober: PASS " << what << hex(address) << " faulted\n";
        ++totals.passed;
        return;
    }
    ++totals.failed;
    if (!outcome.caught.taken && kind == Kind::Load) {
        Out() << "prober: FAIL load " << hex(address) << " did not fault: it read "
              << hex(outcome.value) << "\n";
    } else if (!outcome.caught.taken) {
        Out() << "prober: FAIL store " << hex(address) << " did not fault\n";
    } else {
        Out() << "prober: FAIL " << what << hex(address) << ": scause " << hex(outcome.caught.scause)
              << " stval " << hex(outcome.caught.stval) << ", expected scause "
              << (kind == Kind::Load ? guest::cause::kLoadAccess : guest::cause::kStoreAccess)
              << " stval " << hex(address) << "\n";
    }
}

void check_sbi(Totals& totals, std::string_view what, sbi::Ret ret,
               std::int64_t expected = sbi::kInvalidParam) {
    if (ret.error == expected) {
        Out() << "prober: PASS " << what << " returned " << sbi_error(expected) << "\n";
        ++totals.passed;
    } else {
        Out() << "prober: FAIL " << what << " returned " << sbi_error(ret.error) << ", expected "
              << sbi_error(expected) << "\n";
        ++totals.failed;
    }
}

// SBI calls aimed at harts the partition doesn't have, or memory it doesn't own.
void check_foreign_sbi(Totals& totals, std::uint32_t harts, std::uint64_t foreign_address) {
    using tessera::dec;
    const std::uint64_t entry = reinterpret_cast<std::uintptr_t>(&_start);
    // Its first missing virtual hart, one further, and the last a mask word names.
    for (const std::uint64_t vhart : {std::uint64_t{harts}, std::uint64_t{harts} + 2, std::uint64_t{63}}) {
        tessera::Line start, status;
        start << "HSM hart_start(vhart " << dec(vhart) << ")";
        check_sbi(totals, start.view(), sbi::call(sbi::kHsm, 0, vhart, entry, 0));
        status << "HSM hart_get_status(vhart " << dec(vhart) << ")";
        check_sbi(totals, status.view(), sbi::call(sbi::kHsm, 2, vhart, 0));
    }
    const std::uint64_t own_and_next = 1 | (1ULL << harts);  // hart 0 and the first missing one
    tessera::Line ipi_base, ipi_mask, fence_i, sfence, sfence_asid;
    ipi_base << "IPI send_ipi(mask 0x1, base " << dec(harts) << ")";
    check_sbi(totals, ipi_base.view(), sbi::call(sbi::kIpi, 0, 1, harts));
    ipi_mask << "IPI send_ipi(mask " << tessera::hex(own_and_next) << ", base 0)";
    check_sbi(totals, ipi_mask.view(), sbi::call(sbi::kIpi, 0, own_and_next, 0));
    fence_i << "RFENCE remote_fence_i(mask 0x1, base " << dec(harts) << ")";
    check_sbi(totals, fence_i.view(), sbi::call(sbi::kRfence, 0, 1, harts));
    sfence << "RFENCE remote_sfence_vma(mask " << tessera::hex(own_and_next) << ", base 0, all)";
    check_sbi(totals, sfence.view(), sbi::call(sbi::kRfence, 1, own_and_next, 0, 0, ~0ULL));
    sfence_asid << "RFENCE remote_sfence_vma_asid(mask 0x1, base " << dec(harts) << ", all, asid 0)";
    check_sbi(totals, sfence_asid.view(), sbi::call(sbi::kRfence, 2, 1, harts, 0, ~0ULL, 0));
    if (foreign_address != 0) {
        check_sbi(totals, "DBCN write from a buffer outside the partition's RAM",
                  sbi::call(sbi::kDbcn, 0, 8, foreign_address, 0));
        check_sbi(totals, "DBCN read into a buffer outside the partition's RAM",
                  sbi::call(sbi::kDbcn, 1, 8, foreign_address, 0));
    }
}

std::uint64_t now() {
    std::uint64_t value;
    asm volatile("rdtime %0" : "=r"(value));
    return value;
}

[[noreturn]] void fail(std::string_view why) {
    Out() << "prober: FAIL " << why << "\n";
    sbi::shutdown(false);
}

}  // namespace

extern "C" void guest_trap(std::uint64_t, guest::TrapFrame* frame) {
    const std::uint64_t scause = csr_read<csr::scause>();
    if (g_catcher.take(scause, *frame)) return;
    Out() << "prober: FAIL unexpected trap: scause " << hex(scause) << " sepc "
          << hex(csr_read<csr::sepc>()) << " stval " << hex(csr_read<csr::stval>()) << "\n";
    sbi::shutdown(false);
}

extern "C" [[noreturn]] void guest_main(std::uint64_t, const void* dtb) {
    csr_write<csr::stvec>(reinterpret_cast<std::uintptr_t>(&guest_trap_entry));
    const guest::GuestDt dt = guest::read_guest_dt(dtb);
    if (!dt.valid) fail("no usable DTB");
    const guest::Bootargs args(dt.bootargs);

    std::uint64_t probes[kMaxProbes];
    unsigned count = 0;
    bool list_ok = true;
    guest::for_each_item(args.value("probe").value_or(std::string_view()), [&](std::string_view item) {
        const auto address = guest::parse_number(item);
        if (!address || (*address & 7) != 0 || count == kMaxProbes) {
            Out() << "prober: bad probe address '" << item << "' (8-byte aligned, at most "
                  << kMaxProbes << ")\n";
            list_ok = false;
            return;
        }
        probes[count++] = *address;
    });
    const auto rounds = args.number("rounds", 3);
    const auto round_ms = args.number("round-ms", 100);
    if (!list_ok || count == 0) fail("bootargs need probe=<address>,<address>,...");
    if (!rounds || !round_ms) fail("bad rounds= or round-ms= (numbers)");
    for (unsigned i = 0; i < count; ++i)
        if (probes[i] >= dt.ram_base && probes[i] - dt.ram_base < dt.ram_size)
            fail("a probe address lies inside this partition's own RAM");

    Out() << "prober: RAM " << hex(dt.ram_base) << "+" << hex(dt.ram_size) << ", " << dt.harts
          << " hart(s), probing " << count << " addresses\n";
    Totals totals;
    for (unsigned i = 0; i < count; ++i) {
        check_probe(totals, Kind::Load, probes[i]);
        check_probe(totals, Kind::Store, probes[i]);
    }
    check_foreign_sbi(totals, dt.harts, probes[0]);
    Out() << "prober: " << totals.passed << " passed, " << totals.failed << " failed\n";

    // Keep probing, so that the other partitions can be seen to run meanwhile.
    const std::uint64_t interval = dt.timebase * *round_ms / 1000;
    bool rounds_ok = true;
    for (std::uint64_t round = 1; round <= *rounds; ++round) {
        const std::uint64_t until = now() + interval;
        while (now() < until) {
        }
        unsigned faults = 0;
        for (unsigned i = 0; i < count; ++i)
            for (const Kind kind : {Kind::Load, Kind::Store})
                if (faulted_as_expected(kind, probes[i], probe(kind, probes[i]).caught)) ++faults;
        Out() << "prober: round " << round << " faults " << faults << "\n";
        if (faults != 2 * count) {
            Out() << "prober: FAIL round " << round << ": " << faults << " of " << 2 * count
                  << " accesses faulted\n";
            rounds_ok = false;
        }
    }
    sbi::shutdown(totals.failed == 0 && rounds_ok);
}
