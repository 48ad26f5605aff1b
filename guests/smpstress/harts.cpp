// Mailboxes, IPIs, waits, the barrier and the trap handler of every hart.
#include "harts.hpp"

#include "arch/riscv/csr.hpp"
#include "console.hpp"
#include "fault_catcher.hpp"  // guest::TrapFrame, kInterruptBit
#include "sbi.hpp"

extern "C" void guest_trap_entry();

namespace smpstress {

using guest::hex;
using guest::Out;
using tessera::arch::csr_clear;
using tessera::arch::csr_read;
using tessera::arch::csr_set;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;

constinit Hart g_harts[kHarts];
constinit Machine g_machine;

namespace {

constexpr std::uint64_t kSsip = 1ULL << 1;
constexpr std::uint64_t kSsie = 1ULL << 1, kStie = 1ULL << 5;
constexpr std::uint64_t kNever = ~0ULL;
constexpr unsigned kSoftware = 1, kTimer = 5, kExternal = 9;

constinit std::atomic<std::uint64_t> g_arrived{0};  // barrier arrivals, all barriers

// Copies every posted slot to seen (the software-interrupt handler, or
// take_mailbox with interrupts off).
void scan_mailbox() {
    Hart& hart = me();
    for (unsigned slot = 0; slot < kSlots; ++slot) {
        const std::uint64_t latest = hart.posted[slot].load(std::memory_order_acquire);
        const std::uint64_t previous = hart.seen[slot];
        if (latest == previous) continue;
        hart.seen[slot] = latest;
        if (slot >= kSlotMessage && slot < kSlotMessage + kHarts)
            storm_received(slot - kSlotMessage, previous, latest);
    }
}

void take_software_interrupt() {
    csr_clear<csr::sip>(kSsip);  // before the slots are read: a later post interrupts again
    asm volatile("fence rw, rw" ::: "memory");
    Hart& hart = me();
    hart.software_interrupts = hart.software_interrupts + 1;
    scan_mailbox();
}

void take_timer_interrupt(std::uint64_t entry_time) {
    Hart& hart = me();
    csr_write<csr::stimecmp>(kNever);
    if (!hart.timer_test) {
        hart.stalled = true;  // the watch of a wait
        return;
    }
    if (!hart.armed) {
        hart.unarmed = hart.unarmed + 1;
        return;
    }
    if (entry_time < hart.deadline) hart.early = hart.early + 1;
    hart.armed = false;
    hart.timer_interrupts = hart.timer_interrupts + 1;
}

std::uint64_t ms_between(std::uint64_t from, std::uint64_t to) {
    return (to - from) * 1000 / g_machine.timebase;
}

void report_stall(std::string_view what, std::uint64_t has, std::uint64_t expected,
                  std::uint64_t since, unsigned slot) {
    const Hart& hart = me();
    {
        Out out;
        out << "smpstress: hart " << this_hart() << " still waiting after "
            << ms_between(since, now()) << " ms in " << hart.phase << " for " << what << " "
            << expected << " (has " << has;
        if (slot < kSlots) out << ", posted " << hart.posted[slot].load();
        out << ")\n";
    }
    Out() << "smpstress: hart " << this_hart() << ": sip " << hex(csr_read<csr::sip>()) << " sie "
          << hex(csr_read<csr::sie>()) << "; taken: software " << hart.software_interrupts
          << ", timer " << hart.timer_interrupts << ", external " << hart.external_interrupts
          << "\n";
    if (hart.phase == "plic") plic_describe_stall();
}

void wait_until(std::string_view what, const volatile std::uint64_t& value,
                std::uint64_t expected, bool watch, unsigned slot) {
    if (value >= expected) return;
    Hart& hart = me();
    const std::uint64_t since = now();
    bool reported = false;
    // With SIE off an interrupt that comes between the check and the WFI
    // stays pending, and WFI returns at once; it is taken with SIE on.
    interrupts_off();
    if (watch) {
        hart.stalled = false;
        csr_write<csr::stimecmp>(since + g_machine.options.stall_ms * g_machine.timebase / 1000);
    }
    while (value < expected) {
        asm volatile("wfi" ::: "memory");
        interrupts_on();
        interrupts_off();
        if (hart.stalled && !reported) {
            reported = true;
            report_stall(what, value, expected, since, slot);
        }
    }
    if (watch) csr_write<csr::stimecmp>(kNever);
    interrupts_on();
    if (reported)
        Out() << "smpstress: hart " << this_hart() << " went on after " << ms_between(since, now())
              << " ms (" << what << " " << expected << ")\n";
}

}  // namespace

void interrupts_off() { csr_clear<csr::sstatus>(kSstatusSie); }
void interrupts_on() { csr_set<csr::sstatus>(kSstatusSie); }

std::uint64_t now() {
    std::uint64_t value;
    asm volatile("rdtime %0" : "=r"(value));
    return value;
}

void hart_init(unsigned hart) {
    asm volatile("mv tp, %0" : : "r"(std::uint64_t{hart}));
    csr_write<csr::stvec>(reinterpret_cast<std::uintptr_t>(&guest_trap_entry));
    csr_set<csr::sie>(kSsie | kStie);
    interrupts_on();
}

void post(unsigned target, Slot slot, std::uint64_t value) {
    g_harts[target].posted[slot].store(value, std::memory_order_release);
}

void send_ipi(std::uint64_t mask) {
    send_ipi_encoded(mask, 0);
}

void send_ipi_encoded(std::uint64_t mask, std::uint64_t base) {
    asm volatile("fence rw, rw" ::: "memory");
    const guest::sbi::Ret ret = guest::sbi::call(guest::sbi::kIpi, 0, mask, base);
    if (ret.error != guest::sbi::kSuccess) {
        Out() << "smpstress: FAIL hart " << this_hart() << ": send_ipi(mask " << hex(mask)
              << ", base " << base << ") returned " << guest::sbi_error(ret.error) << "\n";
        guest::sbi::shutdown(false);
    }
    Hart& hart = me();
    hart.ipis_sent = hart.ipis_sent + 1;
}

void send_ipi_to(unsigned target) {
    // Three ways to name one hart: its bit from base 0, bit 0 from base
    // `target`, bit 1 from base `target - 1`.
    switch (me().rng.below(3)) {
        case 0: send_ipi_encoded(1ULL << target, 0); break;
        case 1: send_ipi_encoded(1, target); break;
        default:
            if (target == 0) {
                send_ipi_encoded(1, 0);
            } else {
                send_ipi_encoded(2, target - 1);
            }
            break;
    }
}

void notify(unsigned target, Slot slot, std::uint64_t value) {
    post(target, slot, value);
    send_ipi_to(target);
}

void wait_for(std::string_view what, const volatile std::uint64_t& value, std::uint64_t expected,
              bool watch) {
    wait_until(what, value, expected, watch, kSlots);
}

void wait_slot(std::string_view what, Slot slot, std::uint64_t expected) {
    wait_until(what, me().seen[slot], expected, true, slot);
}

void take_mailbox() {
    interrupts_off();  // the handler must not scan at the same time
    scan_mailbox();
    interrupts_on();
}

void barrier() {
    Hart& hart = me();
    const std::uint64_t number = ++hart.barriers;
    const std::uint64_t arrived = g_arrived.fetch_add(1, std::memory_order_acq_rel) + 1;
    if (arrived != number * kHarts) {
        wait_slot("the barrier", kSlotBarrier, number);
        return;
    }
    // The last to arrive releases the others.
    std::uint64_t others = 0;
    for (unsigned other = 0; other < kHarts; ++other) {
        if (other == this_hart()) continue;
        post(other, kSlotBarrier, number);
        others |= 1ULL << other;
    }
    send_ipi(others);
}

[[noreturn]] void fail(std::string_view why, std::uint64_t value) {
    {
        Out out;
        out << "smpstress: FAIL hart " << this_hart() << " in " << me().phase << ": " << why;
        if (value != ~0ULL) out << " " << value;
        out << "\n";
    }
    guest::sbi::shutdown(false);
}

}  // namespace smpstress

using namespace smpstress;

extern "C" void guest_trap(std::uint64_t entry_time, guest::TrapFrame*) {
    const std::uint64_t scause = csr_read<csr::scause>();
    if ((scause & guest::kInterruptBit) == 0) {
        Out() << "smpstress: FAIL hart " << this_hart() << ": exception scause " << hex(scause)
              << " sepc " << hex(csr_read<csr::sepc>()) << " stval "
              << hex(csr_read<csr::stval>()) << "\n";
        guest::sbi::shutdown(false);
    }
    switch (scause & 63) {
        case kSoftware: take_software_interrupt(); return;
        case kTimer: take_timer_interrupt(entry_time); return;
        case kExternal: {
            Hart& hart = me();
            hart.external_interrupts = hart.external_interrupts + 1;
            plic_external_interrupt();
            return;
        }
        default: fail("unexpected interrupt, scause", scause);
    }
}
