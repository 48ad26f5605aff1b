// Phase a, the IPI ring: a token goes round 0 -> 1 -> 2 -> 0 `ring` times.
// Hart i posts the pass number to hart (i+1)%3's ring slot and sends it an
// IPI, then waits in WFI until its own slot has seen the pass that gives the
// token back. Nothing else sends IPIs meanwhile, and the next pass to a hart
// comes only after it has handed the token on, so every lap needs one
// software interrupt per hart: a lost one stops the ring.
#include "console.hpp"
#include "harts.hpp"
#include "phases.hpp"

namespace smpstress {

namespace {
std::uint64_t g_taken[kHarts];  // software interrupts each hart took during the ring
}

void run_ring() {
    Hart& hart = me();
    hart.phase = "ring";
    const unsigned self = this_hart();
    const unsigned next = (self + 1) % kHarts;
    const std::uint64_t laps = g_machine.options.ring;
    const std::uint64_t taken_before = hart.software_interrupts;
    barrier();
    for (std::uint64_t lap = 0; lap < laps; ++lap) {
        const std::uint64_t base = kHarts * lap;  // passes before this lap
        if (self == 0) {
            notify(next, kSlotRing, base + 1);
            wait_slot("the token, pass", kSlotRing, base + kHarts);
        } else {
            wait_slot("the token, pass", kSlotRing, base + self);
            notify(next, kSlotRing, base + self + 1);
        }
    }
    g_taken[self] = hart.software_interrupts - taken_before;
    barrier();
    if (self != 0) return;
    guest::Out() << "smpstress: ring: " << laps << " laps, " << kHarts * laps
                 << " passes; software interrupts taken " << g_taken[0] << " " << g_taken[1]
                 << " " << g_taken[2] << "\n";
    for (unsigned other = 0; other < kHarts; ++other) {
        if (g_harts[other].seen[kSlotRing] != kHarts * laps - (other == 0 ? 0 : kHarts - other))
            fail("ring: a hart's last pass is not the lap count's, hart", other);
        // The barriers' IPIs may add some; each lap needs one.
        if (g_taken[other] < laps) fail("ring: fewer software interrupts than laps, hart", other);
    }
    guest::Out() << "smpstress: PASS ring rounds=" << laps << "\n";
}

}  // namespace smpstress
