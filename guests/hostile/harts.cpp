// The trap handler of both harts and the accomplice's order loop.
#include "harts.hpp"

#include "arch/riscv/csr.hpp"
#include "sbi.hpp"

namespace hostile {

using tessera::arch::csr_clear;
using tessera::arch::csr_read;
using tessera::arch::csr_set;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;
namespace sbi = guest::sbi;

HartState g_harts[kHarts];
Unexpected g_unexpected;
OwnDevices g_devices;
Mailbox g_mailbox;

namespace {

constexpr std::uint64_t kSstatusSie = 1ULL << 1;
constexpr std::uint64_t kSsip = 1ULL << 1, kSsie = 1ULL << 1;
constexpr unsigned kSoftware = 1, kTimer = 5, kExternal = 9;

void on_timer(HartState& hart) {
    hart.timer_interrupts = hart.timer_interrupts + 1;
    const bool again = hart.timer_rearms != 0;
    if (again) hart.timer_rearms = hart.timer_rearms - 1;
    const std::uint64_t deadline = again ? 0 : ~0ULL;  // in the past, or never
    if (hart.timer_via_sbi) {
        sbi::set_timer(deadline);
    } else {
        csr_write<csr::stimecmp>(deadline);
    }
}

void on_external(HartState& hart) {
    const std::uint64_t claim = g_devices.plic + plic::claim(plic::s_context(this_hart()));
    const std::uint32_t source = mmio_read32(claim);
    if (source == 0) return;  // nothing to serve (a claim may come back empty)
    hart.external_interrupts = hart.external_interrupts + 1;
    hart.last_claim = source;
    if (source != g_devices.rtc_irq) {
        mmio_write32(claim, source);
        return;
    }
    switch (hart.external_mode) {
        case ExternalMode::NeverComplete: return;
        case ExternalMode::AlarmStorm:
            mmio_write32(g_devices.rtc + rtc::kClearInterrupt, 1);
            if (hart.storm_left > 1) {
                hart.storm_left = hart.storm_left - 1;
                mmio_write32(g_devices.rtc + rtc::kAlarmHigh, 0);
                mmio_write32(g_devices.rtc + rtc::kAlarmLow, 0);  // the past: fires at once
            } else {
                hart.storm_left = 0;
                mmio_write32(g_devices.rtc + rtc::kIrqEnabled, 0);
            }
            break;
        case ExternalMode::Serve: mmio_write32(g_devices.rtc + rtc::kClearInterrupt, 1); break;
    }
    mmio_write32(claim, source);
}

void on_unexpected(std::uint64_t scause, guest::TrapFrame& frame) {
    const std::uint64_t sepc = csr_read<csr::sepc>();
    g_unexpected.hart = static_cast<std::uint32_t>(this_hart());
    g_unexpected.scause = scause;
    g_unexpected.sepc = sepc;
    g_unexpected.stval = csr_read<csr::stval>();
    g_unexpected.count = g_unexpected.count + 1;
    // Go on after it, as the catcher would (the attempt reports it).
    const bool fetch = scause == guest::cause::kInsnAccess ||
                       scause == guest::cause::kInsnPageFault ||
                       scause == guest::cause::kInsnMisaligned;
    csr_write<csr::sepc>(fetch ? frame.ra : sepc + guest::instruction_length(sepc));
}

}  // namespace

std::uint64_t now() {
    std::uint64_t value;
    asm volatile("rdtime %0" : "=r"(value));
    return value;
}

bool post_order(Order order, std::uint64_t argument, std::uint64_t ticks, bool wait_done) {
    Mailbox& box = g_mailbox;
    const std::uint32_t sequence = box.posted + 1;
    box.busy = 0;
    box.order = order;
    box.argument = argument;
    asm volatile("fence rw, rw" ::: "memory");
    box.posted = sequence;
    sbi::call(sbi::kIpi, 0, 0x2, 0);  // wakes the accomplice
    if (wait_done) return wait_until([&] { return box.done == sequence; }, ticks);
    return wait_until([&] { return box.busy == sequence; }, ticks);
}

}  // namespace hostile

using namespace hostile;

extern "C" void guest_trap_entry();

extern "C" void guest_trap(std::uint64_t, guest::TrapFrame* frame) {
    const std::uint64_t scause = csr_read<csr::scause>();
    HartState& hart = my_hart();
    if ((scause & guest::kInterruptBit) != 0) {
        switch (scause & 63) {
            case kSoftware:
                csr_clear<csr::sip>(kSsip);
                hart.software_interrupts = hart.software_interrupts + 1;
                return;
            case kTimer: on_timer(hart); return;
            case kExternal: on_external(hart); return;
            default: break;
        }
        on_unexpected(scause, *frame);
        csr_clear<csr::sie>(1ULL << (scause & 63));  // it would come back at once
        return;
    }
    if (hart.catcher.take(scause, *frame)) return;
    on_unexpected(scause, *frame);
}

// The accomplice: vhart 1, started by vhart 0 with HSM hart_start (a1 =
// kStartOpaque) or resumed from a non-retentive suspend (a1 =
// kResumeOpaque). It takes software interrupts (IPIs) whenever it waits.
extern "C" [[noreturn]] void hostile_accomplice_main(std::uint64_t hart, std::uint64_t opaque) {
    csr_write<csr::stvec>(reinterpret_cast<std::uintptr_t>(&guest_trap_entry));
    Mailbox& box = g_mailbox;
    box.entry_a0 = hart;
    box.entry_a1 = opaque;
    box.entries = box.entries + 1;
    std::uint32_t seen = box.done;
    for (;;) {
        // Waits in WFI for an order and the IPI vhart 0 sends after posting
        // it (so that the IPI can't arrive later and end a suspend early).
        // With SIE off a pending IPI stays pending, so none slips in between
        // the check and the WFI; each is then taken (and counted) with SIE on.
        HartState& self = my_hart();
        const std::uint64_t ipis = self.software_interrupts;
        csr_set<csr::sie>(kSsie);
        while (box.posted == seen || self.software_interrupts == ipis) {
            asm volatile("wfi");
            csr_set<csr::sstatus>(kSstatusSie);
            csr_clear<csr::sstatus>(kSstatusSie);
        }
        seen = box.posted;
        asm volatile("fence rw, rw" ::: "memory");
        const Order order = box.order;
        const std::uint64_t argument = box.argument;
        box.busy = seen;
        std::uint64_t result = 0;
        switch (order) {
            case Order::None: break;
            case Order::Report: result = box.entry_a0 | (box.entry_a1 << 8); break;
            case Order::SuspendRetentive:
                // SIE off, SSIE on: an IPI resumes it; the interrupt is then
                // taken once SIE is back on (above).
                result = static_cast<std::uint64_t>(sbi::call(sbi::kHsm, 3, 0, 0, 0).error);
                break;
            case Order::SuspendNonRetentive: {
                box.done = seen;  // it resumes at its entry: done before it goes
                const sbi::Ret ret =
                    sbi::call(sbi::kHsm, 3, 0x80000000,
                              reinterpret_cast<std::uintptr_t>(&hostile_accomplice_entry),
                              kResumeOpaque);
                result = static_cast<std::uint64_t>(ret.error);  // it came back: wrong
                break;
            }
            case Order::SuspendBadType:
                result = static_cast<std::uint64_t>(
                    sbi::call(sbi::kHsm, 3, argument,
                              reinterpret_cast<std::uintptr_t>(&hostile_accomplice_entry), 0)
                        .error);
                break;
            case Order::StartHart0:
                result = static_cast<std::uint64_t>(
                    sbi::call(sbi::kHsm, 0, 0,
                              reinterpret_cast<std::uintptr_t>(&hostile_accomplice_entry), 0)
                        .error);
                break;
            case Order::Stop:
                box.done = seen;
                // hart_stop takes no arguments: junk in a0/a1 must not name another hart.
                sbi::call(sbi::kHsm, 1, 0, 0);
                result = ~0ULL;  // it came back: wrong
                break;
        }
        box.result = result;
        asm volatile("fence rw, rw" ::: "memory");
        box.done = seen;
    }
}
