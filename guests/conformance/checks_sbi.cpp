// The guest-facing SBI: BASE, TIME, IPI, RFENCE, HSM, SRST arguments, DBCN.
#include <atomic>
#include <cstddef>

#include "check.hpp"
#include "checks.hpp"
#include "console.hpp"

extern "C" std::int64_t conformance_suspend_nonretentive(void* context);

namespace conformance {
namespace {

using namespace sbi;

constexpr std::uint64_t kFarFuture = ~0ULL;
constexpr std::uint64_t kUnknownExtension = 0x0A000000;

// ---- the secondary hart ------------------------------------------------------

// What hart_start's opaque asks the secondary to do.
constexpr std::uint64_t kOpaqueFirst = 0x5ec0'0d00'0000'0001;   // wait for go, then stop
constexpr std::uint64_t kOpaqueSecond = 0x5ec0'0d00'0000'0002;  // the same, started again
constexpr std::uint64_t kOpaqueWatchdog = 0x5ec0'0d00'0000'0003;  // wakes hart 0 if it must

struct Secondary {
    std::atomic<std::uint64_t> runs{0};  // incremented when it has recorded its entry state
    std::atomic<std::uint64_t> ipis{0};  // software interrupts it took
    std::atomic<bool> go{false};         // it calls hart_stop once set
    std::atomic<bool> resumed{false};    // hart 0 is back from its non-retentive suspend
    std::atomic<bool> watchdog_fired{false};
    volatile std::uint64_t hart_id = 0, opaque = 0, satp = 0, sstatus = 0;
};
Secondary g_secondary;

constexpr std::uint64_t kSecond = 1000;  // ms

std::uint64_t secondary_entry_address() {
    return reinterpret_cast<std::uintptr_t>(&conformance_secondary_entry);
}

// A bound for waits on the other hart: generous, it only matters when broken.
std::uint64_t hart_wait() { return ticks_ms(kSecond); }

// What conformance_suspend_nonretentive (trap.S) saves and the resumed hart saw.
struct SuspendContext {
    std::uint64_t ra, sp, gp, tp, s[12];
    std::uint64_t a0, a1, satp, sstatus;  // on resume
};
static_assert(offsetof(SuspendContext, s) == 32 && offsetof(SuspendContext, a0) == 128 &&
                  offsetof(SuspendContext, sstatus) == 152,
              "trap.S CTX_* offsets");

}  // namespace

}  // namespace conformance

// Started by SBI HSM hart_start (trap.S conformance_secondary_entry).
extern "C" [[noreturn]] void conformance_secondary_main(std::uint64_t hart, std::uint64_t opaque) {
    using namespace conformance;
    const std::uint64_t sstatus = csr_read<csr::sstatus>();
    const std::uint64_t satp = csr_read<csr::satp>();
    install_trap_vector(hart);
    g_secondary.hart_id = hart;
    g_secondary.opaque = opaque;
    g_secondary.satp = satp;
    g_secondary.sstatus = sstatus;
    if (opaque == kOpaqueWatchdog) {
        // Hart 0 suspends (non-retentive) until its timer: if that doesn't
        // wake it within 500 ms, an IPI does, so that the check ends.
        g_secondary.runs.fetch_add(1);
        if (!wait_until([] { return g_secondary.resumed.load(); }, ticks_ms(500))) {
            g_secondary.watchdog_fired.store(true);
            sbi::send_ipi(1, 0);
        }
        sbi::hart_stop();
        for (;;) asm volatile("wfi");
    }
    if (opaque == kRebootSpinOpaque) {
        g_secondary.runs.fetch_add(1);
        for (;;) asm volatile("wfi");  // until the partition reboots
    }
    HartTraps& traps = my_traps();
    traps.irq_seen = 0;
    csr_set<csr::sie>(bit(kIrqSoftware));
    csr_set<csr::sstatus>(kSstatusSie);
    g_secondary.runs.fetch_add(1);
    while (!g_secondary.go.load()) {
        if (traps.irq_seen & bit(kIrqSoftware)) {  // the handler took an IPI
            traps.irq_seen = traps.irq_seen & ~bit(kIrqSoftware);
            csr_clear<csr::sip>(bit(kIrqSoftware));
            g_secondary.ipis.fetch_add(1);
            csr_set<csr::sie>(bit(kIrqSoftware));
        }
    }
    csr_clear<csr::sstatus>(kSstatusSie);
    csr_clear<csr::sie>(bit(kIrqSoftware));
    sbi::hart_stop();
    for (;;) asm volatile("wfi");  // hart_stop does not return
}

namespace conformance {

void start_secondary_spinning() {
    if (g_platform.harts < 2) return;
    const std::uint64_t before = g_secondary.runs.load();
    if (sbi::hart_start(1, secondary_entry_address(), kRebootSpinOpaque).error == 0)
        wait_until([&] { return g_secondary.runs.load() != before; }, hart_wait());
}

void check_sbi_base() {
    {
        Check check("SBI BASE spec version is 2.0");
        check.expect_sbi("get_spec_version", call(kBase, 0), kSuccess, 0x02000000);
    }
    {
        Check check("SBI BASE implementation id is TESS (0x54455353)");
        check.expect_sbi("get_impl_id", call(kBase, 1), kSuccess, 0x54455353);
    }
    {
        Check check("SBI BASE probe finds BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN, legacy console");
        const std::uint64_t present[] = {kBase, kTime, kIpi, kRfence, kHsm, kSrst, kDbcn,
                                         kLegacyPutchar, kLegacyGetchar};
        for (std::uint64_t eid : present) {
            const Ret ret = call(kBase, 3, eid);
            if (ret.error != 0 || ret.value != 1)
                check.detail() << "probe " << tessera::hex(eid) << " = (" << Signed{ret.error}
                               << ", " << tessera::hex(ret.value) << "), expected (0, 1)";
        }
    }
    {
        Check check("SBI BASE probe denies PMU, legacy set_timer and unknown extensions");
        const std::uint64_t absent[] = {kPmu, kLegacySetTimer, kUnknownExtension, 0x03, 0x08,
                                        0x4E41434C /* NACL */, 0x535441 /* STA */};
        for (std::uint64_t eid : absent) {
            const Ret ret = call(kBase, 3, eid);
            if (ret.error != 0 || ret.value != 0)
                check.detail() << "probe " << tessera::hex(eid) << " = (" << Signed{ret.error}
                               << ", " << tessera::hex(ret.value) << "), expected (0, 0)";
        }
    }
    {
        Check check("SBI unknown extensions and function ids return NOT_SUPPORTED");
        check.expect_sbi("unknown extension", call(kUnknownExtension, 0), kNotSupported);
        check.expect_sbi("PMU", call(kPmu, 0), kNotSupported);
        check.expect_sbi("BASE fid 7", call(kBase, 7), kNotSupported);
        check.expect_sbi("TIME fid 1", call(kTime, 1), kNotSupported);
        check.expect_sbi("IPI fid 1", call(kIpi, 1), kNotSupported);
        check.expect_sbi("RFENCE fid 7", call(kRfence, 7), kNotSupported);
        check.expect_sbi("HSM fid 4", call(kHsm, 4), kNotSupported);
        check.expect_sbi("SRST fid 1", call(kSrst, 1), kNotSupported);
        check.expect_sbi("DBCN fid 3", call(kDbcn, 3), kNotSupported);
    }
    {
        Check check("SBI BASE implementation version and machine ids answer");
        for (std::uint64_t fid : {2, 4, 5, 6})
            check.expect_sbi(fid == 2 ? "get_impl_version" : "get_m*id", call(kBase, fid),
                             kSuccess);
    }
}

void check_time() {
    const std::uint64_t soon = ticks_ms(2);
    {
        Check check("TIME set_timer delivers a supervisor timer interrupt");
        forget_interrupt(kIrqTimer);
        const std::uint64_t when = now() + soon;
        check.expect_sbi("set_timer(now + 2 ms)", set_timer(when), kSuccess);
        if (check.expect(wait_for_interrupt(kIrqTimer, ticks_ms(kSecond)),
                         "no timer interrupt within 1 s")) {
            check.expect_eq("scause", my_traps().last_irq, kInterrupt | kIrqTimer);
        } else if (g_platform.sstc) {
            // What the hypervisor made of it: SBI set_timer writes vstimecmp.
            std::uint64_t stimecmp = 0;
            catch_trap([&] { stimecmp = csr_read<csr::stimecmp>(); });
            check.detail() << "asked for " << tessera::hex(when) << ", stimecmp "
                           << tessera::hex(stimecmp) << ", time " << tessera::hex(now());
        }
        check.expect(interrupt_pending(kIrqTimer, pending_window()),
                     "the timer interrupt is not pending any more after it was taken");
    }
    {
        Check check("TIME set_timer far in the future clears the pending timer interrupt");
        check.expect_sbi("set_timer(-1)", set_timer(kFarFuture), kSuccess);
        check.expect(!interrupt_pending(kIrqTimer, ticks_ms(5)),
                     "the timer interrupt is still pending (or came back) after set_timer(-1)");
    }
    if (g_platform.sstc) {
        {
            Check check("Sstc: writing stimecmp delivers a supervisor timer interrupt");
            const std::uint64_t when = now() + soon;
            const Trap trap = catch_trap([&] { csr_write<csr::stimecmp>(when); });
            if (check.expect_no_trap("csrw stimecmp", trap)) {
                const Trap read = catch_trap([&] {
                    check.expect_eq("stimecmp read back", csr_read<csr::stimecmp>(), when);
                });
                check.expect_no_trap("csrr stimecmp", read);
                if (check.expect(wait_for_interrupt(kIrqTimer, ticks_ms(kSecond)),
                                 "no timer interrupt within 1 s"))
                    check.expect_eq("scause", my_traps().last_irq, kInterrupt | kIrqTimer);
            }
        }
        {
            Check check("Sstc: stimecmp far in the future clears the pending timer interrupt");
            const Trap trap = catch_trap([&] { csr_write<csr::stimecmp>(kFarFuture); });
            check.expect_no_trap("csrw stimecmp", trap);
            check.expect(!interrupt_pending(kIrqTimer, ticks_ms(5)),
                         "the timer interrupt is still pending after stimecmp = -1");
        }
    } else {
        Check check("no Sstc: stimecmp accesses are illegal instructions");
        check.expect_trap("csrr stimecmp",
                          catch_trap([] { (void)csr_read<csr::stimecmp>(); }), kIllegal);
        check.expect_trap("csrw stimecmp",
                          catch_trap([] { csr_write<csr::stimecmp>(kFarFuture); }), kIllegal);
    }
}

void check_ipi() {
    const std::uint64_t harts = g_platform.harts;
    {
        Check check("IPI to itself raises a supervisor software interrupt");
        csr_clear<csr::sip>(bit(kIrqSoftware));
        check.expect_sbi("send_ipi(1, 0)", send_ipi(1, 0), kSuccess);
        check.expect((csr_read<csr::sip>() & bit(kIrqSoftware)) != 0, "sip.SSIP not pending");
        if (check.expect(wait_for_interrupt(kIrqSoftware, ticks_ms(100)),
                         "no software interrupt taken"))
            check.expect_eq("scause", my_traps().last_irq, kInterrupt | kIrqSoftware);
    }
    {
        Check check("clearing sip.SSIP withdraws the software interrupt");
        csr_clear<csr::sip>(bit(kIrqSoftware));
        check.expect((csr_read<csr::sip>() & bit(kIrqSoftware)) == 0, "sip.SSIP still pending");
        check.expect(!wait_for_interrupt(kIrqSoftware, ticks_ms(5)),
                     "a software interrupt was taken after clearing sip.SSIP");
    }
    {
        Check check("IPI naming a hart the partition doesn't have is INVALID_PARAM");
        check.expect_sbi("send_ipi(1, harts)", send_ipi(1, harts), kInvalidParam);
        check.expect_sbi("send_ipi(1 << harts, 0)", send_ipi(1ULL << harts, 0), kInvalidParam);
        check.expect((csr_read<csr::sip>() & bit(kIrqSoftware)) == 0,
                     "a refused IPI made sip.SSIP pending");
    }
    {
        Check check("IPI to all harts (base -1) succeeds and reaches this hart");
        check.expect_sbi("send_ipi(0, -1)", send_ipi(0, kAllHarts), kSuccess);
        check.expect((csr_read<csr::sip>() & bit(kIrqSoftware)) != 0, "sip.SSIP not pending");
        csr_clear<csr::sip>(bit(kIrqSoftware));
    }
}

void check_rfence() {
    const std::uint64_t harts = g_platform.harts;
    {
        Check check("RFENCE remote_fence_i and remote_sfence_vma(_asid) to all harts return 0");
        check.expect_sbi("remote_fence_i", call(kRfence, 0, 0, kAllHarts), kSuccess);
        check.expect_sbi("remote_sfence_vma", call(kRfence, 1, 0, kAllHarts, 0, ~0ULL), kSuccess);
        check.expect_sbi("remote_sfence_vma_asid",
                         call(kRfence, 2, 0, kAllHarts, 0, ~0ULL, 0), kSuccess);
        check.expect_sbi("remote_fence_i to itself", call(kRfence, 0, 1, 0), kSuccess);
    }
    {
        Check check("RFENCE naming a hart the partition doesn't have is INVALID_PARAM");
        check.expect_sbi("remote_fence_i(1, harts)", call(kRfence, 0, 1, harts), kInvalidParam);
        check.expect_sbi("remote_sfence_vma(1 << harts, 0)",
                         call(kRfence, 1, 1ULL << harts, 0, 0, ~0ULL), kInvalidParam);
    }
    {
        Check check("RFENCE remote_hfence_* (fids 3..6) are NOT_SUPPORTED");
        for (std::uint64_t fid = 3; fid <= 6; ++fid) {
            const Ret ret = call(kRfence, fid, 0, kAllHarts, 0, ~0ULL, 0);
            if (ret.error != kNotSupported)
                check.detail() << "fid " << tessera::dec(fid) << " error " << Signed{ret.error};
        }
    }
}

void check_hsm() {
    const std::uint64_t harts = g_platform.harts;
    if (harts < 2) {
        Check check("HSM hart_get_status: hart 0 STARTED, no hart 1");
        check.expect_sbi("hart_get_status(0)", hart_status(0), kSuccess, kStarted);
        check.expect_sbi("hart_get_status(1)", hart_status(1), kInvalidParam);
    } else {
        Check check("HSM hart_get_status: hart 0 STARTED, hart 1 STOPPED");
        check.expect_sbi("hart_get_status(0)", hart_status(0), kSuccess, kStarted);
        check.expect_sbi("hart_get_status(1)", hart_status(1), kSuccess, kStopped);
    }
    {
        Check check("HSM hart_start of a hart the partition doesn't have is INVALID_PARAM");
        check.expect_sbi("hart_start(5)", hart_start(5, secondary_entry_address(), 0),
                         kInvalidParam);
        check.expect_sbi("hart_start(harts)", hart_start(harts, secondary_entry_address(), 0),
                         kInvalidParam);
        check.expect_sbi("hart_get_status(5)", hart_status(5), kInvalidParam);
    }
    if (harts >= 2) {
        {
            Check check("HSM hart_start at an address outside RAM is INVALID_ADDRESS");
            check.expect_sbi("hart_start(1, 0x1000)", hart_start(1, 0x1000, 0), kInvalidAddress);
            check.expect_sbi("hart_start(1, RAM end)",
                             hart_start(1, g_platform.ram_base + g_platform.ram_size, 0),
                             kInvalidAddress);
            check.expect_sbi("hart_get_status(1) after", hart_status(1), kSuccess, kStopped);
        }
        {
            Check check("HSM hart_start runs hart 1 with a0 = 1, a1 = opaque, satp = 0, SIE = 0");
            g_secondary.go.store(false);
            const std::uint64_t before = g_secondary.runs.load();
            if (check.expect_sbi("hart_start(1)",
                                 hart_start(1, secondary_entry_address(), kOpaqueFirst),
                                 kSuccess) &&
                check.expect(wait_until([&] { return g_secondary.runs.load() != before; },
                                        hart_wait()),
                             "hart 1 did not run within 1 s")) {
                check.expect_eq("a0", g_secondary.hart_id, 1);
                check.expect_eq("a1", g_secondary.opaque, kOpaqueFirst);
                check.expect_eq("satp", g_secondary.satp, 0);
                check.expect_eq("sstatus.SIE", g_secondary.sstatus & kSstatusSie, 0);
                check.expect_sbi("hart_get_status(1)", hart_status(1), kSuccess, kStarted);
            }
        }
        {
            Check check("HSM hart_start of a started hart is ALREADY_AVAILABLE");
            check.expect_sbi("hart_start(1) again",
                             hart_start(1, secondary_entry_address(), kOpaqueSecond),
                             kAlreadyAvailable);
        }
        {
            Check check("IPI from hart 0 is taken by hart 1");
            const std::uint64_t before = g_secondary.ipis.load();
            check.expect_sbi("send_ipi(2, 0)", send_ipi(0b10, 0), kSuccess);
            check.expect(wait_until([&] { return g_secondary.ipis.load() > before; }, hart_wait()),
                         "hart 1 took no software interrupt within 1 s (mask 2, base 0)");
            check.expect_sbi("send_ipi(1, 1)", send_ipi(1, 1), kSuccess);
            check.expect(
                wait_until([&] { return g_secondary.ipis.load() > before + 1; }, hart_wait()),
                "hart 1 took no software interrupt within 1 s (mask 1, base 1)");
            check.expect((csr_read<csr::sip>() & bit(kIrqSoftware)) == 0,
                         "an IPI to hart 1 made hart 0's sip.SSIP pending");
        }
        {
            Check check("RFENCE to the started hart 1 returns 0");
            check.expect_sbi("remote_fence_i(2, 0)", call(kRfence, 0, 0b10, 0), kSuccess);
            check.expect_sbi("remote_sfence_vma(2, 0)", call(kRfence, 1, 0b10, 0, 0, ~0ULL),
                             kSuccess);
            check.expect_sbi("remote_sfence_vma_asid(1, 1)",
                             call(kRfence, 2, 1, 1, 0, ~0ULL, 0), kSuccess);
        }
        {
            Check check("HSM hart_stop returns hart 1 to STOPPED");
            g_secondary.go.store(true);
            check.expect(wait_until([] { return hart_status(1).value == kStopped; }, hart_wait()),
                         "hart_get_status(1) is not STOPPED within 1 s");
        }
        {
            Check check("HSM a stopped hart starts again with the new opaque");
            const std::uint64_t before = g_secondary.runs.load();
            if (check.expect_sbi("hart_start(1)",
                                 hart_start(1, secondary_entry_address(), kOpaqueSecond),
                                 kSuccess) &&
                check.expect(wait_until([&] { return g_secondary.runs.load() != before; },
                                        hart_wait()),
                             "hart 1 did not run within 1 s")) {
                check.expect_eq("a1", g_secondary.opaque, kOpaqueSecond);
                check.expect(
                    wait_until([] { return hart_status(1).value == kStopped; }, hart_wait()),
                    "hart 1 did not stop again within 1 s");
            }
        }
    }
    {
        Check check("HSM retentive suspend returns 0 once the timer interrupt is pending");
        forget_interrupt(kIrqTimer);
        const std::uint64_t deadline = now() + ticks_ms(2);
        set_timer(deadline);
        csr_set<csr::sie>(bit(kIrqTimer));  // wakes the hart; sstatus.SIE = 0: not taken
        check.expect_sbi("hart_suspend(0)", hart_suspend(0), kSuccess);
        const std::uint64_t returned = now();
        csr_clear<csr::sie>(bit(kIrqTimer));
        check.expect(interrupt_pending(kIrqTimer, pending_window()),
                     "returned without a pending timer interrupt");
        check.expect(returned >= deadline, "returned before the timer deadline");
        set_timer(kFarFuture);
        check.expect(!interrupt_pending(kIrqTimer, ticks_ms(5)),
                     "the timer interrupt is still pending after set_timer(-1)");
    }
    {
        Check check("HSM suspend with a reserved or unimplemented type is INVALID_PARAM");
        check.expect_sbi("hart_suspend(0x1)", hart_suspend(0x1), kInvalidParam);
        check.expect_sbi("hart_suspend(0x10000000)", hart_suspend(0x10000000), kInvalidParam);
        check.expect_sbi("hart_suspend(0x80000001)", hart_suspend(0x80000001), kInvalidParam);
    }
}

// Non-retentive suspend needs a second hart as a watchdog: a hart that
// never wakes would hang the whole run instead of failing one check.
void check_nonretentive_suspend() {
    if (g_platform.harts < 2) return;
    Check check("HSM non-retentive suspend: the timer wakes it, resumes at addr, a0 = hart, a1 = opaque");
    g_secondary.resumed.store(false);
    g_secondary.watchdog_fired.store(false);
    const std::uint64_t before = g_secondary.runs.load();
    if (!check.expect_sbi("hart_start(1) as watchdog",
                          hart_start(1, secondary_entry_address(), kOpaqueWatchdog), kSuccess) ||
        !check.expect(wait_until([&] { return g_secondary.runs.load() != before; }, hart_wait()),
                      "the watchdog hart did not run within 1 s"))
        return;
    SuspendContext context{};
    set_timer(now() + ticks_ms(2));
    csr_set<csr::sie>(bit(kIrqTimer));
    const std::int64_t result = conformance_suspend_nonretentive(&context);
    install_trap_vector(0);  // the resumed hart starts with stvec unset
    g_secondary.resumed.store(true);
    csr_clear<csr::sie>(bit(kIrqTimer));
    set_timer(kFarFuture);
    if (result != 1) {
        check.detail() << "hart_suspend(0x80000000) returned error " << Signed{result};
    } else {
        check.expect_eq("a0", context.a0, 0);
        check.expect_eq("a1", context.a1, reinterpret_cast<std::uintptr_t>(&context));
        check.expect_eq("satp", context.satp, 0);
        check.expect_eq("sstatus.SIE", context.sstatus & kSstatusSie, 0);
    }
    check.expect(!g_secondary.watchdog_fired.load(),
                 "the timer did not wake the hart: the watchdog's IPI did after 500 ms");
    check.expect(wait_until([] { return hart_status(1).value == kStopped; }, hart_wait()),
                 "the watchdog hart did not stop");
    csr_clear<csr::sip>(bit(kIrqSoftware));
}

void check_srst_arguments() {
    Check check("SRST with a reserved type or reason is INVALID_PARAM");
    check.expect_sbi("system_reset(3, 0)", system_reset(3, 0), kInvalidParam);
    check.expect_sbi("system_reset(0xEFFFFFFF, 0)", system_reset(0xEFFFFFFF, 0), kInvalidParam);
    check.expect_sbi("system_reset(0, 2)", system_reset(0, 2), kInvalidParam);
    check.expect_sbi("system_reset(1ULL << 32, 0)", system_reset(1ULL << 32, 0), kInvalidParam);
}

void check_dbcn() {
    const std::uint64_t ram_end = g_platform.ram_base + g_platform.ram_size;
    {
        Check check("DBCN write returns the byte count");
        static const char line[] = "dbcn: a line written with DBCN write\n";
        const std::uint64_t length = sizeof(line) - 1;
        check.expect_sbi("write", call(kDbcn, 0, length, reinterpret_cast<std::uintptr_t>(line), 0),
                         kSuccess, length);
    }
    {
        Check check("DBCN write_byte writes a line byte by byte");
        for (char c : std::string_view("dbcn: a line written with DBCN write_byte\n")) {
            const Ret ret = call(kDbcn, 2, static_cast<std::uint8_t>(c));
            if (ret.error != 0) {
                check.expect_sbi("write_byte", ret, kSuccess);
                break;
            }
        }
    }
    {
        Check check("DBCN read of 0 bytes returns 0, a read of 8 bytes at most 8");
        static char buffer[8];
        const std::uint64_t address = reinterpret_cast<std::uintptr_t>(buffer);
        check.expect_sbi("read(0)", call(kDbcn, 1, 0, address, 0), kSuccess, 0);
        const Ret ret = call(kDbcn, 1, sizeof(buffer), address, 0);
        check.expect_error("read(8)", ret.error, kSuccess);
        check.expect(ret.value <= sizeof(buffer), "read(8) returned more than 8 bytes");
    }
    {
        Check check("DBCN buffers outside RAM are INVALID_PARAM");
        check.expect_sbi("write at 0x1000", call(kDbcn, 0, 16, 0x1000, 0), kInvalidParam);
        check.expect_sbi("write across the end of RAM", call(kDbcn, 0, 16, ram_end - 8, 0),
                         kInvalidParam);
        check.expect_sbi("write with a non-zero high address", call(kDbcn, 0, 1, g_platform.ram_base, 1),
                         kInvalidParam);
        check.expect_sbi("read at 0x1000", call(kDbcn, 1, 16, 0x1000, 0), kInvalidParam);
    }
    {
        Check check("legacy console putchar returns 0, getchar returns -1 without input");
        for (char c : std::string_view("legacy: a line written with console_putchar\n")) {
            const std::int64_t result = legacy(kLegacyPutchar, static_cast<std::uint8_t>(c));
            if (result != 0) {
                check.expect_error("console_putchar", result, 0);
                break;
            }
        }
        check.expect_error("console_getchar", legacy(kLegacyGetchar), -1);
    }
}

}  // namespace conformance
