// Storms: thousands of IPIs to itself and to its other hart, remote fences,
// timer deadlines in the past (through SBI set_timer and through stimecmp),
// and the passthrough RTC's alarm made to fire continuously, then left
// claimed and never completed. Each must be answered exactly (every call
// SUCCESS, every interrupt taken, none after the storm) while the other
// partition's heartbeat goes on.
#include "arch/riscv/csr.hpp"
#include "attacks.hpp"
#include "attempt.hpp"
#include "harts.hpp"

namespace hostile {
namespace {

using tessera::arch::csr_clear;
using tessera::arch::csr_set;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;
namespace sbi = guest::sbi;

constexpr std::uint64_t kSstatusSie = 1ULL << 1;
constexpr std::uint64_t kSsie = 1ULL << 1, kStie = 1ULL << 5, kSeie = 1ULL << 9;

constexpr std::uint32_t kIpiStorm = 5000;
constexpr std::uint32_t kFenceStorm = 2000;
constexpr std::uint32_t kTimerStorm = 3000;
constexpr std::uint32_t kAlarmStorm = 2000;

// Interrupts on (sie bits `enables` and sstatus.SIE) while fn() runs.
template <class Fn>
void with_interrupts(std::uint64_t enables, Fn fn) {
    csr_set<csr::sie>(enables);
    csr_set<csr::sstatus>(kSstatusSie);
    fn();
    csr_clear<csr::sstatus>(kSstatusSie);
    csr_clear<csr::sie>(enables);
}

// No further interrupt of a counter within 20 ms.
template <class Counter>
bool stays_quiet(const Targets& t, Counter count) {
    const std::uint64_t before = count();
    wait_until([] { return false; }, t.ticks_ms(20));
    return count() == before;
}

void ipi_storms(const Targets& t) {
    HartState& self = my_hart();
    {
        Attempt attempt("5000 send_ipi to itself", "SUCCESS each, 5000 taken");
        const std::uint64_t before = self.software_interrupts;
        std::uint32_t failures = 0;
        with_interrupts(kSsie, [&] {
            for (std::uint32_t i = 0; i < kIpiStorm; ++i)
                if (sbi::call(sbi::kIpi, 0, 0x1, 0).error != sbi::kSuccess) ++failures;
        });
        attempt.expect_eq("failed calls", failures, 0);
        attempt.expect_eq("taken", self.software_interrupts - before, kIpiStorm);
    }
    {
        Attempt attempt("5000 send_ipi to vhart 1", "SUCCESS each, it takes them");
        HartState& other = g_harts[1];
        const std::uint64_t before = other.software_interrupts;
        std::uint32_t failures = 0;
        for (std::uint32_t i = 0; i < kIpiStorm; ++i)
            if (sbi::call(sbi::kIpi, 0, 0x2, 0).error != sbi::kSuccess) ++failures;
        attempt.expect_eq("failed calls", failures, 0);
        // IPIs sent before the last was taken may merge: at least one arrives.
        attempt.expect(wait_until([&] { return other.software_interrupts != before; }, t.timebase),
                       "it took none");
        const std::uint64_t settled = other.software_interrupts;
        sbi::call(sbi::kIpi, 0, 0x2, 0);
        attempt.expect(wait_until([&] { return other.software_interrupts != settled; }, t.timebase),
                       "an IPI after the storm did not arrive");
    }
    {
        Attempt attempt("2000 send_ipi to every hart (base -1)", "SUCCESS each");
        const std::uint64_t before = self.software_interrupts;
        std::uint32_t failures = 0;
        with_interrupts(kSsie, [&] {
            for (std::uint32_t i = 0; i < 2000; ++i)
                if (sbi::call(sbi::kIpi, 0, 0, ~0ULL).error != sbi::kSuccess) ++failures;
        });
        attempt.expect_eq("failed calls", failures, 0);
        attempt.expect_eq("taken by itself", self.software_interrupts - before, 2000);
    }
    {
        Attempt attempt("2000 remote_sfence_vma to both harts", "SUCCESS each");
        std::uint32_t failures = 0;
        for (std::uint32_t i = 0; i < kFenceStorm; ++i)
            if (sbi::call(sbi::kRfence, 1, 0x3, 0, 0, ~0ULL).error != sbi::kSuccess) ++failures;
        attempt.expect_eq("failed calls", failures, 0);
    }
}

void timer_storm(const Targets& t, bool via_sbi) {
    HartState& self = my_hart();
    Attempt attempt(via_sbi ? "3000 set_timer deadlines in the past"
                            : "3000 stimecmp deadlines in the past",
                    "3000 timer interrupts, then none");
    const std::uint64_t before = self.timer_interrupts;
    self.timer_via_sbi = via_sbi;
    self.timer_rearms = kTimerStorm - 1;  // the handler sets all but the first
    with_interrupts(kStie, [&] {
        if (via_sbi) {
            sbi::set_timer(0);
        } else {
            csr_write<csr::stimecmp>(0);
        }
        attempt.expect(wait_until([&] { return self.timer_rearms == 0 &&
                                               self.timer_interrupts - before == kTimerStorm; },
                                  10 * t.timebase),
                       "the storm did not run its course within 10 s");
        attempt.expect(stays_quiet(t, [&] { return self.timer_interrupts; }),
                       "timer interrupts went on after the last deadline");
    });
    attempt.expect_eq("taken", self.timer_interrupts - before, kTimerStorm);
    self.timer_rearms = 0;
}

void rtc_enable(const Targets& t, bool on) {
    const std::uint64_t plic = t.devices.plic;
    const std::uint32_t irq = t.devices.rtc_irq;
    const std::uint32_t context = plic::s_context(0);
    const std::uint64_t enable = plic + plic::enable(context, irq / 32);
    const std::uint32_t word = mmio_read32(enable);
    mmio_write32(enable, on ? word | 1U << (irq % 32) : word & ~(1U << (irq % 32)));
    mmio_write32(plic + plic::priority(irq), on ? 1 : 0);
    mmio_write32(plic + plic::threshold(context), 0);
}

void fire_alarm_now(const Targets& t) {
    const std::uint64_t rtc = t.devices.rtc;
    mmio_write32(rtc + rtc::kIrqEnabled, 1);
    mmio_write32(rtc + rtc::kAlarmHigh, 0);
    mmio_write32(rtc + rtc::kAlarmLow, 0);  // in the past: fires at once
}

void rtc_storm(const Targets& t) {
    HartState& self = my_hart();
    Attempt attempt("RTC alarm firing continuously, 2000 times", "2000 interrupts, then none");
    const std::uint64_t before = self.external_interrupts;
    self.storm_left = kAlarmStorm;
    self.external_mode = ExternalMode::AlarmStorm;
    rtc_enable(t, true);
    with_interrupts(kSeie, [&] {
        fire_alarm_now(t);
        attempt.expect(wait_until([&] { return self.storm_left == 0; }, 10 * t.timebase),
                       "the storm did not run its course within 10 s");
        attempt.expect(stays_quiet(t, [&] { return self.external_interrupts; }),
                       "interrupts went on after the RTC's was switched off");
    });
    attempt.expect_eq("taken", self.external_interrupts - before, kAlarmStorm);
    attempt.expect_eq("last source", self.last_claim, t.devices.rtc_irq);
    self.external_mode = ExternalMode::Serve;
}

void rtc_never_completed(const Targets& t) {
    HartState& self = my_hart();
    const std::uint64_t plic = t.devices.plic;
    const std::uint32_t irq = t.devices.rtc_irq;
    self.external_mode = ExternalMode::NeverComplete;
    with_interrupts(kSeie, [&] {
        {
            Attempt attempt("RTC interrupt claimed, never completed", "taken once, then none");
            const std::uint64_t before = self.external_interrupts;
            fire_alarm_now(t);  // its line stays high: the guest never clears it
            attempt.expect(wait_until([&] { return self.external_interrupts != before; },
                                      t.timebase), "no interrupt within 1 s");
            attempt.expect(stays_quiet(t, [&] { return self.external_interrupts; }),
                           "more interrupts while the claim is open");
            attempt.expect_eq("taken", self.external_interrupts - before, 1);
        }
        {
            Attempt attempt("complete it from vhart 1's context", "ignored: nothing more");
            const std::uint64_t before = self.external_interrupts;
            mmio_write32(plic + plic::claim(plic::s_context(1)), irq);
            attempt.expect(stays_quiet(t, [&] { return self.external_interrupts; }),
                           "an interrupt arrived");
            attempt.expect_eq("taken", self.external_interrupts - before, 0);
        }
        {
            // QEMU 7.2's PLIC latches a level source again only on a new
            // edge, so the RTC's line goes down before the completion and up
            // again after it: a second alarm.
            Attempt attempt("complete it where claimed, alarm again", "taken once more");
            const std::uint64_t before = self.external_interrupts;
            mmio_write32(t.devices.rtc + rtc::kClearInterrupt, 1);
            mmio_write32(plic + plic::claim(plic::s_context(0)), irq);
            fire_alarm_now(t);
            attempt.expect(wait_until([&] { return self.external_interrupts != before; },
                                      t.timebase), "no interrupt within 1 s");
            attempt.expect(stays_quiet(t, [&] { return self.external_interrupts; }),
                           "more interrupts while the claim is open");
            attempt.expect_eq("taken", self.external_interrupts - before, 1);
        }
    });
    // Clean up: the RTC quiet, the claim completed.
    mmio_write32(t.devices.rtc + rtc::kIrqEnabled, 0);
    mmio_write32(t.devices.rtc + rtc::kClearInterrupt, 1);
    mmio_write32(plic + plic::claim(plic::s_context(0)), irq);
    rtc_enable(t, false);
    self.external_mode = ExternalMode::Serve;
}

}  // namespace

void attack_storms(const Targets& t) {
    ipi_storms(t);
    timer_storm(t, true);
    if (t.sstc) timer_storm(t, false);
    rtc_storm(t);
    rtc_never_completed(t);
}

}  // namespace hostile
