// The hypervisor's own timer on a hart (stimecmp, or the SBI firmware's
// timer): it stands in for the timer of a guest without Sstc, it is the
// backstop of an SBI set_timer of a guest with Sstc, and on the hart of a
// watched partition's virtual hart 0 it also checks the partition's
// watchdog (tessera,watchdog-ms).
#pragma once

#include <cstdint>

#include "arch/riscv/csr.hpp"
#include "platform_api.hpp"
#include "vcpu/vcpu_context.hpp"

namespace tessera {

// What the hart's timer serves; set once by scenario_init().
enum class TimerMode : std::uint8_t {
    Sstc,     // the guest programs vstimecmp; the host timer is a backstop only
    StandIn,  // the guest has no Sstc: the host timer is its timer, passed on as VSTIP
    Watched,  // either of the above, plus the partition's watchdog (virtual hart 0 only)
};

void host_timer_set_guest_watched(VcpuContext& vcpu, std::uint64_t stime_value);
void host_timer_fired_watched(VcpuContext& vcpu);

// SBI set_timer from the guest on this hart (inline: the SBI call most
// guests make most).
inline void host_timer_set_guest(VcpuContext& vcpu, std::uint64_t stime_value) {
    using namespace arch;
    switch (vcpu.timer_mode) {
        case TimerMode::Sstc:
            csr_write<csr::vstimecmp>(stime_value);
            // Backstop: QEMU 7.2 (with several harts, under host load) now
            // and then fails to deliver a VS timer interrupt whose vstimecmp
            // was written from HS-mode (1 run in 8 of the conformance guest;
            // never for the guest's own stimecmp writes). The hypervisor's
            // timer armed for the same deadline makes the hart exit once, and
            // the pending VSTIP is taken on the way back in.
            platform::arm_host_timer(stime_value);
            csr_set<csr::sie>(sie_bits::STIE);
            return;
        case TimerMode::StandIn:
            // The hypervisor's own timer stands in; its interrupt is passed
            // on as VSTIP, which this call clears.
            csr_clear<csr::hvip>(irq_bits::VSTIP);
            platform::arm_host_timer(stime_value);
            csr_set<csr::sie>(sie_bits::STIE);
            return;
        case TimerMode::Watched: host_timer_set_guest_watched(vcpu, stime_value); return;
    }
}

// The host timer interrupt fired.
inline void host_timer_fired(VcpuContext& vcpu) {
    using namespace arch;
    switch (vcpu.timer_mode) {
        case TimerMode::StandIn:
            csr_set<csr::hvip>(irq_bits::VSTIP);  // until the guest's next set_timer
            [[fallthrough]];
        case TimerMode::Sstc:  // the backstop: VSTIP comes from vstimecmp
            csr_clear<csr::sie>(sie_bits::STIE);  // until the guest sets its next deadline
            return;
        case TimerMode::Watched: host_timer_fired_watched(vcpu); return;
    }
}

// Virtual hart 0 of a watched partition starts: the watchdog starts over.
void watchdog_start(VcpuContext& vcpu);
// SBI WATCHDOG_KICK; false when the partition has no watchdog.
bool watchdog_kick(VcpuContext& vcpu);

}  // namespace tessera
