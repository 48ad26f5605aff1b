// What the guest's CPU does in VS/VU-mode: counters, WFI, the CSRs it must
// not reach, FP, its own paging and user mode.
#include "check.hpp"
#include "checks.hpp"
#include "sv39.hpp"

extern "C" char conformance_user_program[];

namespace conformance {
namespace {

constexpr std::uint64_t kFarFuture = ~0ULL;
constexpr std::uint16_t kScounteren = 0x106;

template <std::uint16_t Csr>
Trap read_csr_trap() {
    return catch_trap([] { (void)csr_read<Csr>(); });
}

// ---- Sv39 (guests/common/sv39.hpp) -------------------------------------------

namespace sv39 = guest::sv39;
using sv39::kPteA;
using sv39::kPteD;
using sv39::kPteR;
using sv39::kPteU;
using sv39::kPteW;
using sv39::kPteX;
constexpr std::uint64_t kUserCode = 0x1'0000'0000;         // root entry 4, then two tables
constexpr std::uint64_t kUserData = kUserCode + 0x1000;
constexpr std::uint64_t kUserUnmapped = kUserCode + 0x2000;  // no leaf

alignas(4096) sv39::Table g_root;
alignas(4096) sv39::Table g_user_l1;
alignas(4096) sv39::Table g_user_l0;
alignas(4096) volatile std::uint64_t g_user_data[512];

void build_tables() {
    for (auto* table_page : {g_root, g_user_l1, g_user_l0}) sv39::clear(table_page);
    // Identity gigapages: devices (the first GiB) and RAM, supervisor only.
    sv39::identity_gigapage(g_root, 0, kPteR | kPteW | kPteA | kPteD);
    sv39::identity_gigapage(g_root, g_platform.ram_base, kPteR | kPteW | kPteX | kPteA | kPteD);
    // The user program's page and its data page.
    g_root[sv39::giga_index(kUserCode)] = sv39::table(g_user_l1);
    g_user_l1[sv39::mega_index(kUserCode)] = sv39::table(g_user_l0);
    g_user_l0[sv39::page_index(kUserCode)] =
        sv39::leaf(reinterpret_cast<std::uintptr_t>(conformance_user_program),
                   kPteR | kPteX | kPteU | kPteA);
    g_user_l0[sv39::page_index(kUserData)] =
        sv39::leaf(reinterpret_cast<std::uintptr_t>(&g_user_data[0]),
                   kPteR | kPteW | kPteU | kPteA | kPteD);
}

void sfence_vma() { sv39::sfence_vma(); }

bool user_log_has(const UserRun& run, std::uint64_t cause, const Trap** found = nullptr) {
    for (unsigned i = 0; i < run.count; ++i) {
        if (run.traps[i].scause == cause) {
            if (found != nullptr) *found = &run.traps[i];
            return true;
        }
    }
    return false;
}

UserRun run_user_program() {
    for (unsigned i = 0; i < 2; ++i) g_user_data[i] = 0;
    return run_user(kUserCode, kUserData, kUserUnmapped, kUserData + 0x1000);
}

// fmv.d.x ft5, a0 and fmv.x.d a1, ft5, as words: the guests are built for
// RV64IMAC and neither assembler has to know D.
std::uint64_t fp_round_trip(std::uint64_t value) {
    register std::uint64_t in asm("a0") = value;
    register std::uint64_t out asm("a1") = 0;
    asm volatile(".word 0xf20502d3\n\t.word 0xe20285d3" : "+r"(out) : "r"(in) : "memory");
    return out;
}

// Only fmv.d.x ft5, a0: one instruction, for the FS = Off check.
void fp_write(std::uint64_t value) {
    register std::uint64_t in asm("a0") = value;
    asm volatile(".word 0xf20502d3" : : "r"(in) : "memory");
}

}  // namespace

void check_counters() {
    {
        Check check("rdtime, rdcycle and rdinstret work in VS-mode");
        std::uint64_t value = 0;
        check.expect_no_trap("rdtime", catch_trap([&] { asm volatile("rdtime %0" : "=r"(value)); }));
        check.expect_no_trap("rdcycle",
                             catch_trap([&] { asm volatile("rdcycle %0" : "=r"(value)); }));
        check.expect_no_trap("rdinstret",
                             catch_trap([&] { asm volatile("rdinstret %0" : "=r"(value)); }));
    }
    {
        Check check("time advances");
        const std::uint64_t start = now();
        std::uint64_t later = start;
        for (unsigned i = 0; i < 10000000 && later == start; ++i) later = now();
        check.expect(later > start, "rdtime did not change in 10^7 reads");
    }
}

void check_wfi() {
    Check check("WFI in VS-mode returns without trapping (timer armed, sstatus.SIE = 0)");
    sbi::set_timer(now() + ticks_ms(1));
    csr_set<csr::sie>(bit(kIrqTimer));
    check.expect_no_trap("wfi", catch_trap([] { asm volatile("wfi" ::: "memory"); }));
    csr_clear<csr::sie>(bit(kIrqTimer));
    check.expect(interrupt_pending(kIrqTimer, ticks_ms(1000)),
                 "the timer interrupt did not become pending within 1 s");
    sbi::set_timer(kFarFuture);
}

void check_csr_protection() {
    {
        Check check("reading hstatus from VS-mode is an illegal instruction");
        check.expect_trap("csrr hstatus", read_csr_trap<csr::hstatus>(), kIllegal);
    }
    {
        Check check("reading hgatp from VS-mode is an illegal instruction");
        check.expect_trap("csrr hgatp", read_csr_trap<csr::hgatp>(), kIllegal);
    }
    {
        Check check("reading mstatus from VS-mode is an illegal instruction");
        check.expect_trap("csrr mstatus", read_csr_trap<0x300>(), kIllegal);
    }
    {
        Check check("vsstatus, hvip and hfence.vvma/hfence.gvma from VS-mode are illegal instructions");
        check.expect_trap("csrr vsstatus", read_csr_trap<csr::vsstatus>(), kIllegal);
        check.expect_trap("csrr hvip", read_csr_trap<csr::hvip>(), kIllegal);
        check.expect_trap("hfence.vvma",
                          catch_trap([] { asm volatile(".word 0x22000073" ::: "memory"); }),
                          kIllegal);
        check.expect_trap("hfence.gvma",
                          catch_trap([] { asm volatile(".word 0x62000073" ::: "memory"); }),
                          kIllegal);
    }
}

void check_fp() {
    {
        Check check("FP: with sstatus.FS on, a value moves through an FP register and back");
        csr_clear<csr::sstatus>(kSstatusFs);
        csr_set<csr::sstatus>(kSstatusFsInitial);
        std::uint64_t back = 0;
        const Trap trap = catch_trap([&] { back = fp_round_trip(0x0123456789abcdef); });
        if (check.expect_no_trap("fmv.d.x/fmv.x.d", trap)) {
            check.expect_eq("value back", back, 0x0123456789abcdef);
            check.expect_eq("sstatus.FS after an FP write", csr_read<csr::sstatus>() & kSstatusFs,
                            kSstatusFsDirty);
        }
    }
    {
        Check check("FP: with sstatus.FS off, FP instructions are illegal");
        csr_clear<csr::sstatus>(kSstatusFs);
        check.expect_trap("fmv.d.x", catch_trap([] { fp_write(1); }), kIllegal);
    }
}

void check_paging() {
    build_tables();
    const std::uint64_t satp = sv39::satp(g_root);
    bool paging = false;
    {
        Check check("Sv39: with identity gigapages the guest runs on with paging on");
        sfence_vma();
        const Trap trap = catch_trap([&] { csr_write<csr::satp>(satp); });
        sfence_vma();
        if (check.expect_no_trap("csrw satp", trap) &&
            check.expect_eq("satp", csr_read<csr::satp>(), satp)) {
            paging = true;
            // Memory and an emulated device through the guest's own mapping.
            static volatile std::uint64_t probe = 0;
            probe = 0x1234;
            check.expect_eq("RAM through the gigapage", probe, 0x1234);
            const Trap mmio = catch_trap([&] {
                mmio_write32(plic::priority(1), 3);
                check.expect_eq("PLIC priority through the gigapage",
                                mmio_read32(plic::priority(1)), 3);
                mmio_write32(plic::priority(1), 0);
            });
            check.expect_no_trap("PLIC access with paging on", mmio);
        }
    }
    csr_set<csr::sstatus>(kSstatusSum);  // the handler reads user instructions
    csr_write<kScounteren>(0x2);     // TM: user mode may read time
    UserRun run{};
    if (paging) run = run_user_program();
    {
        Check check("VU-mode: an ecall reaches the guest's handler as cause 8");
        const Trap* ecall = nullptr;
        if (check.expect(paging, "paging is off") &&
            check.expect(run.returned && user_log_has(run, kEcallU, &ecall),
                         "the user program did not come back through its ecall")) {
            check.expect(ecall->from_user, "ecall was not from user mode");
            check.expect_eq("ecall sepc", ecall->sepc, kUserCode + (ecall->sepc & 0xfff));
        }
    }
    {
        Check check("VU-mode: a load from an unmapped page is a load page fault the guest steps over");
        const Trap* fault = nullptr;
        if (check.expect(paging, "paging is off") &&
            check.expect(user_log_has(run, kLoadPageFault, &fault),
                         "no load page fault from the user program"))
            check.expect_eq("stval", fault->stval, kUserUnmapped);
    }
    {
        Check check("VU-mode: rdtime works when scounteren.TM is set");
        if (check.expect(paging, "paging is off")) {
            check.expect(!user_log_has(run, kIllegal), "rdtime trapped as illegal instruction");
            check.expect(g_user_data[0] != 0 && g_user_data[0] <= now(),
                         "the user program stored no plausible time");
            check.expect_eq("pattern stored through the user data page", g_user_data[1], 0x5eed);
        }
    }
    {
        Check check("VU-mode: rdtime is an illegal instruction when scounteren.TM is clear");
        csr_write<kScounteren>(0);
        if (check.expect(paging, "paging is off")) {
            const UserRun denied = run_user_program();
            check.expect(denied.returned, "the user program did not come back");
            check.expect(user_log_has(denied, kIllegal), "rdtime did not trap");
            check.expect_eq("time stored", g_user_data[0], 0);
        }
    }
    csr_clear<csr::sstatus>(kSstatusSum);
    {
        Check check("satp = 0 turns paging off again");
        csr_write<csr::satp>(0);
        sfence_vma();
        check.expect_eq("satp", csr_read<csr::satp>(), 0);
        // The user page's virtual address is now a guest-physical address the
        // partition doesn't have.
        check.expect_trap("load from the former user page",
                          catch_trap([] { (void)mmio_read32(kUserCode); }), kLoadAccess, kUserCode);
    }
}

}  // namespace conformance
