// Phase b, the storm: every hart does `storm` random operations while the
// others do theirs and take its IPIs in WFI:
//  - 6 in 10: a message to one other hart or both, i.e. the next number of
//    the pair's sequence posted to the receiver's message slot for this
//    sender and an IPI (sometimes with the sender's own bit in the mask).
//    The receiver's interrupt handler takes it, counts it and acknowledges
//    it with that number in the sender's ack slot and an IPI back; a sender
//    sends the next message to a hart only once the previous one is
//    acknowledged (it waits in WFI for the ack's IPI). So IPIs may coalesce
//    (one interrupt takes every slot), but each message is taken exactly
//    once, in order;
//  - 4 in 10: an SBI remote fence (fence.i, sfence.vma or sfence.vma with an
//    ASID, a range or everything) on a random non-empty set of the harts,
//    the caller included: the hypervisor has every target fence and waits
//    for them, while they too send, fence and wait.
// Afterwards, for every pair, what the sender counted sent is what the
// receiver counted taken and what the sender's ack slot says.
#include "console.hpp"
#include "harts.hpp"
#include "phases.hpp"
#include "sbi_calls.hpp"

namespace smpstress {

namespace {

using sbi_calls::Fence;

struct StormCounts {
    std::uint64_t sent_to[kHarts];
    volatile std::uint64_t received_from[kHarts];  // by this hart's interrupt handler
    std::uint64_t fences[3];                       // by Fence kind
    std::uint64_t software_interrupts;             // taken during the storm
    std::uint64_t ipis_sent;                       // send_ipi calls during the storm
};
StormCounts g_storm[kHarts];

constexpr std::string_view kAckOf[kHarts] = {"hart 0's ack of message", "hart 1's ack of message",
                                              "hart 2's ack of message"};

void send_messages(StormCounts& counts, std::uint64_t random) {
    const unsigned self = this_hart();
    std::uint64_t targets = 1ULL << ((self + 1 + random % 2) % kHarts);
    if ((random >> 2) % 4 == 0) targets = kAllHarts & ~(1ULL << self);  // both others
    for (unsigned target = 0; target < kHarts; ++target) {
        if ((targets >> target & 1) == 0) continue;
        // The previous message to it must have been taken.
        wait_slot(kAckOf[target], static_cast<Slot>(kSlotAck + target), counts.sent_to[target]);
        counts.sent_to[target] += 1;
        post(target, static_cast<Slot>(kSlotMessage + self), counts.sent_to[target]);
    }
    const bool with_self = (random >> 4) % 8 == 0;
    if (targets == (targets & -targets) && !with_self) {
        send_ipi_to(static_cast<unsigned>(targets == 1 ? 0 : targets == 2 ? 1 : 2));
    } else {
        send_ipi(targets | (with_self ? 1ULL << self : 0));
    }
}

void remote_fence(StormCounts& counts, std::uint64_t random) {
    const auto kind = static_cast<Fence>(random % 3);
    const std::uint64_t mask = (random >> 2) % kAllHarts + 1;  // any non-empty set of the harts
    const bool everything = (random >> 5) % 2 == 0;
    const std::uint64_t start = everything ? 0 : 0x80200000 + ((random >> 6) % 64) * 4096;
    const std::uint64_t size = everything ? ~0ULL : 4096 * ((random >> 12) % 4 + 1);
    const std::uint64_t asid = (random >> 16) % 16;
    const std::int64_t error = sbi_calls::remote_fence(kind, mask, start, size, asid);
    if (error != guest::sbi::kSuccess) {
        guest::Out() << "smpstress: FAIL hart " << this_hart() << ": remote fence "
                     << static_cast<unsigned>(kind) << " mask " << guest::hex(mask) << " returned "
                     << guest::sbi_error(error) << "\n";
        guest::sbi::shutdown(false);
    }
    counts.fences[static_cast<unsigned>(kind)] += 1;
}

void check_and_report() {
    std::uint64_t messages = 0, fences[3] = {};
    for (unsigned sender = 0; sender < kHarts; ++sender) {
        for (unsigned receiver = 0; receiver < kHarts; ++receiver) {
            const std::uint64_t sent = g_storm[sender].sent_to[receiver];
            messages += sent;
            if (g_storm[receiver].received_from[sender] != sent)
                fail("storm: messages taken differ from those sent, receiver", receiver);
            if (g_harts[sender].posted[kSlotAck + receiver].load() != sent)
                fail("storm: acknowledgements differ from messages sent, receiver", receiver);
        }
        for (unsigned kind = 0; kind < 3; ++kind) fences[kind] += g_storm[sender].fences[kind];
    }
    const std::uint64_t operations = g_machine.options.storm;
    guest::Out() << "smpstress: storm: " << operations << " operations per hart, " << messages
                 << " messages, each taken once, in order, and acknowledged\n";
    guest::Out() << "smpstress: storm: " << fences[0] + fences[1] + fences[2]
                 << " remote fences (fence.i " << fences[0] << ", sfence.vma " << fences[1]
                 << ", sfence.vma asid " << fences[2] << ")\n";
    guest::Out() << "smpstress: storm: IPIs sent " << g_storm[0].ipis_sent << " "
                 << g_storm[1].ipis_sent << " " << g_storm[2].ipis_sent
                 << ", software interrupts taken " << g_storm[0].software_interrupts << " "
                 << g_storm[1].software_interrupts << " " << g_storm[2].software_interrupts << "\n";
    guest::Out() << "smpstress: PASS storm rounds=" << operations << "\n";
}

}  // namespace

// In the receiver's software-interrupt handler: `sender` posted messages
// previous+1 .. latest. One at a time, as the sender waits for each ack.
void storm_received(unsigned sender, std::uint64_t previous, std::uint64_t latest) {
    const unsigned self = this_hart();
    if (sender >= kHarts || sender == self || latest != previous + 1)
        fail("storm: a message came out of order from hart", sender);
    g_storm[self].received_from[sender] = latest;
    post(sender, static_cast<Slot>(kSlotAck + self), latest);
    // (not send_ipi_to: the handler must not draw from the interrupted
    // code's random stream)
    send_ipi(1ULL << sender);
}

void run_storm() {
    Hart& hart = me();
    hart.phase = "storm";
    StormCounts& counts = g_storm[this_hart()];
    const std::uint64_t taken_before = hart.software_interrupts;
    const std::uint64_t sent_before = hart.ipis_sent;
    barrier();
    for (std::uint64_t operation = 0; operation < g_machine.options.storm; ++operation) {
        const std::uint64_t random = hart.rng.next();
        if (random % 10 < 6) {
            send_messages(counts, random >> 8);
        } else {
            remote_fence(counts, random >> 8);
        }
    }
    barrier();        // every message has been sent, and its IPI
    take_mailbox();   // (the barrier's own IPI took them already; a last look costs nothing)
    barrier();        // every message has been taken
    counts.software_interrupts = hart.software_interrupts - taken_before;
    counts.ipis_sent = hart.ipis_sent - sent_before;
    barrier();
    if (this_hart() == 0) check_and_report();
}

}  // namespace smpstress
