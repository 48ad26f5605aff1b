// Phase c, timers with IPIs: every hart programs `timer` deadlines, each a
// random time up to 500 us ahead (one in eight already due), through the
// Sstc stimecmp CSR or SBI set_timer (which the hypervisor turns into a
// vstimecmp write), and waits in WFI until its timer interrupt has come;
// half the time it then sends an IPI to one or both other harts, which are
// waiting for their own deadlines. The handler records whether the
// interrupt came before its deadline (it must not) and disarms the timer.
// A lost timer interrupt leaves its hart waiting.
#include "arch/riscv/csr.hpp"
#include "console.hpp"
#include "harts.hpp"
#include "phases.hpp"
#include "sbi.hpp"

namespace smpstress {

namespace {

struct TimerCounts {
    std::uint64_t via_csr, via_sbi, due_at_once, ipis_sent, software_interrupts;
};
TimerCounts g_timer[kHarts];

void program(TimerCounts& counts, std::uint64_t deadline, bool through_sbi) {
    if (!through_sbi) {
        tessera::arch::csr_write<tessera::arch::csr::stimecmp>(deadline);
        counts.via_csr += 1;
        return;
    }
    const std::int64_t error = guest::sbi::set_timer(deadline).error;
    if (error != guest::sbi::kSuccess) fail("timer: SBI set_timer failed");
    counts.via_sbi += 1;
}

void report() {
    std::uint64_t early = 0, unarmed = 0, csr = 0, sbi = 0, at_once = 0, sent = 0;
    for (unsigned hart = 0; hart < kHarts; ++hart) {
        const Hart& state = g_harts[hart];
        const TimerCounts& counts = g_timer[hart];
        if (state.timer_interrupts != g_machine.options.timer)
            fail("timer: a hart took a different number of timer interrupts, hart", hart);
        early += state.early;
        unarmed += state.unarmed;
        csr += counts.via_csr;
        sbi += counts.via_sbi;
        at_once += counts.due_at_once;
        sent += counts.ipis_sent;
    }
    guest::Out() << "smpstress: timer: " << g_machine.options.timer << " deadlines per hart, "
                 << csr << " through stimecmp, " << sbi << " through set_timer, " << at_once
                 << " due at once\n";
    guest::Out() << "smpstress: timer: " << early << " early, " << unarmed
                 << " with none programmed; " << sent << " IPIs sent meanwhile, taken "
                 << g_timer[0].software_interrupts << " " << g_timer[1].software_interrupts << " "
                 << g_timer[2].software_interrupts << "\n";
    if (early != 0) fail("timer: interrupts before their deadline", early);
    guest::Out() << "smpstress: PASS timer rounds=" << g_machine.options.timer << "\n";
}

}  // namespace

void run_timer() {
    Hart& hart = me();
    hart.phase = "timer";
    const unsigned self = this_hart();
    TimerCounts& counts = g_timer[self];
    const std::uint64_t most_ahead = g_machine.timebase / 2000;  // 500 us
    const std::uint64_t taken_before = hart.software_interrupts;
    barrier();
    hart.timer_test = true;
    for (std::uint64_t round = 0; round < g_machine.options.timer; ++round) {
        const std::uint64_t random = hart.rng.next();
        const bool at_once = random % 8 == 0;
        const std::uint64_t ahead = at_once ? 0 : (random >> 3) % most_ahead;
        const std::uint64_t wanted = hart.timer_interrupts + 1;
        const std::uint64_t deadline = now() + ahead;
        hart.deadline = deadline;
        hart.armed = true;  // before it is programmed: the interrupt may come at once
        program(counts, deadline, (random >> 24) % 2 != 0);
        if (at_once) counts.due_at_once += 1;
        wait_for("its timer interrupt", hart.timer_interrupts, wanted, false);
        if ((random >> 25) % 2 == 0) {
            if ((random >> 26) % 4 == 0) {
                send_ipi(kAllHarts & ~(1ULL << self));
            } else {
                send_ipi_to((self + 1 + static_cast<unsigned>((random >> 28) % 2)) % kHarts);
            }
            counts.ipis_sent += 1;
        }
    }
    hart.timer_test = false;
    barrier();
    counts.software_interrupts = hart.software_interrupts - taken_before;
    barrier();
    if (self == 0) report();
}

}  // namespace smpstress
