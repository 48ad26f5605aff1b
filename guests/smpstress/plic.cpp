// Phase e, the virtual PLIC across harts: the emulated 16550's interrupt is
// enabled on hart 2's S-mode context of the emulated PLIC only (priority 1,
// threshold 0) and hart 2 waits in WFI, while harts 0 and 1 make the UART's
// THR-empty interrupt (IER.THRI) go up and down. For each of `plic` rounds:
//  - harts 0 and 1 each make 0 to 3 random writes at the same time: IER = 0
//    (the line drops), IER = THRI (it rises: THR is always empty), a '\r' to
//    THR (it rises again if THRI is set; the console drops '\r');
//  - hart 0 tells hart 1 it is done (IPI); hart 1 marks the round armed and
//    then certainly raises the line: IER = 0 then IER = THRI, or IER = THRI
//    then a THR write;
//  - hart 2's external interrupt handler claims the source, reads IIR
//    (reporting THR-empty acknowledges it: the line drops) and completes
//    it. A THR-empty seen while the round is armed ends the round: hart 2
//    acknowledges it to harts 0 and 1 by IPI, and they start the next one.
//    Interrupts of the random writes are counted as strays; a claim that
//    finds nothing (the line dropped in between) as empty.
// The line is high after the armed raise until hart 2 reads IIR, so every
// round ends with an interrupt on hart 2, unless the hypervisor loses it:
// its VSEIP follows the virtual PLIC, whose level the three harts change
// concurrently (writes, claims, IIR reads, completions).
#include "arch/riscv/csr.hpp"
#include "console.hpp"
#include "harts.hpp"
#include "phases.hpp"

namespace smpstress {

namespace {

constexpr unsigned kReceiver = 2;
constexpr std::uint64_t kThr = 0, kIer = 1, kIir = 2;  // 16550 registers, reg-shift 0
constexpr std::uint8_t kIerThri = 0x02;
constexpr std::uint8_t kIirNone = 0x01, kIirThrEmpty = 0x02;
constexpr std::uint64_t kSeie = 1ULL << 9;
constexpr std::uint32_t kReceiverContext = 2 * kReceiver + 1;  // its S-mode context

struct PlicCounts {
    std::uint64_t in_round, stray, iir_none, empty_claims;  // hart 2's handler
    std::uint64_t writes[kHarts];
};
PlicCounts g_plic;
volatile std::uint64_t g_armed;  // the round whose certain raise hart 1 makes now
volatile std::uint64_t g_taken;  // rounds hart 2 has taken (its handler)

std::uint32_t read32(std::uint64_t address) {
    std::uint32_t value;
    asm volatile("lw %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}
void write32(std::uint64_t address, std::uint32_t value) {
    asm volatile("sw %0, 0(%1)" : : "r"(value), "r"(address) : "memory");
}
std::uint8_t read8(std::uint64_t address) {
    std::uint32_t value;
    asm volatile("lbu %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return static_cast<std::uint8_t>(value);
}

// The UART write of one of harts 0 and 1 (counted).
void uart_write(std::uint64_t reg, std::uint8_t value) {
    asm volatile("sb %0, 0(%1)" : : "r"(value), "r"(g_machine.uart + reg) : "memory");
    g_plic.writes[this_hart()] += 1;
}

std::uint64_t priority_reg(std::uint32_t source) { return g_machine.plic + 4ULL * source; }
std::uint64_t pending_reg(std::uint32_t source) { return g_machine.plic + 0x1000 + 4ULL * (source / 32); }
std::uint64_t enable_reg(std::uint32_t context, std::uint32_t source) {
    return g_machine.plic + 0x2000 + 0x80ULL * context + 4ULL * (source / 32);
}
std::uint64_t threshold_reg(std::uint32_t context) {
    return g_machine.plic + 0x200000 + 0x1000ULL * context;
}
std::uint64_t claim_reg(std::uint32_t context) { return threshold_reg(context) + 4; }

void random_write(std::uint64_t random) {
    switch (random % 3) {
        case 0: uart_write(kIer, 0); break;
        case 1: uart_write(kIer, kIerThri); break;
        default: uart_write(kThr, '\r'); break;
    }
}

void write_round(Hart& hart, std::uint64_t round) {
    const unsigned self = this_hart();
    wait_slot("hart 2's interrupt of round", kSlotPlicAck, round - 1);
    std::uint64_t random = hart.rng.next();
    for (unsigned writes = random % 4; writes != 0; --writes) random_write(random >>= 2);
    if (self == 0) {
        notify(1, kSlotPlicGo, round);
        return;
    }
    wait_slot("hart 0's writes of round", kSlotPlicGo, round);
    g_armed = round;
    asm volatile("fence rw, rw" ::: "memory");
    if ((random >> 20) % 2 == 0) {
        uart_write(kIer, 0);
        uart_write(kIer, kIerThri);
    } else {
        uart_write(kIer, kIerThri);
        uart_write(kThr, '\r');
    }
}

void report() {
    const std::uint64_t rounds = g_machine.options.plic;
    if (g_taken != rounds || g_plic.in_round != rounds) fail("plic: rounds taken", g_taken);
    guest::Out() << "smpstress: plic: " << rounds << " rounds; UART writes " << g_plic.writes[0]
                 << " (hart 0), " << g_plic.writes[1] << " (hart 1)\n";
    guest::Out() << "smpstress: plic: hart 2 took "
                 << g_plic.in_round + g_plic.stray + g_plic.iir_none + g_plic.empty_claims
                 << " interrupts: " << g_plic.in_round << " ending a round, " << g_plic.stray
                 << " strays, " << g_plic.iir_none << " with IIR empty, " << g_plic.empty_claims
                 << " empty claims\n";
    guest::Out() << "smpstress: PASS plic rounds=" << rounds << "\n";
}

}  // namespace

// Hart 2's external interrupt.
void plic_external_interrupt() {
    if (this_hart() != kReceiver) fail("plic: an external interrupt on this hart");
    const std::uint64_t claim = claim_reg(kReceiverContext);
    const std::uint32_t source = read32(claim);
    if (source == 0) {
        g_plic.empty_claims += 1;
        return;
    }
    if (source != g_machine.uart_irq) fail("plic: claimed source", source);
    const std::uint8_t iir = read8(g_machine.uart + kIir);
    switch (iir & 0x0f) {
        case kIirThrEmpty:
            if (g_armed == g_taken + 1) {
                g_taken = g_taken + 1;
                g_plic.in_round += 1;
                post(0, kSlotPlicAck, g_taken);
                post(1, kSlotPlicAck, g_taken);
                send_ipi(0x3);
            } else {
                g_plic.stray += 1;
            }
            break;
        case kIirNone: g_plic.iir_none += 1; break;
        default: fail("plic: unexpected IIR", iir);
    }
    write32(claim, source);
}

// The PLIC's view of the UART's source, read without side effects (no UART
// register: reading one makes the hypervisor re-publish the PLIC's levels).
void plic_describe_stall() {
    const std::uint32_t source = g_machine.uart_irq;
    const std::uint32_t bit = 1U << (source % 32);
    guest::Out() << "smpstress: plic: source " << source << " pending "
                 << ((read32(pending_reg(source)) & bit) != 0) << ", enabled on hart 2's S context "
                 << ((read32(enable_reg(kReceiverContext, source)) & bit) != 0) << ", priority "
                 << read32(priority_reg(source)) << ", threshold "
                 << read32(threshold_reg(kReceiverContext)) << "\n";
    guest::Out() << "smpstress: plic: round armed " << g_armed << ", taken " << g_taken
                 << "; hart " << this_hart() << "'s sip.SEIP "
                 << ((tessera::arch::csr_read<tessera::arch::csr::sip>() & kSeie) != 0) << "\n";
}

void run_plic() {
    Hart& hart = me();
    hart.phase = "plic";
    const unsigned self = this_hart();
    const std::uint64_t rounds = g_machine.options.plic;
    if (self == kReceiver) {
        write32(priority_reg(g_machine.uart_irq), 1);
        write32(threshold_reg(kReceiverContext), 0);
        write32(enable_reg(kReceiverContext, g_machine.uart_irq), 1U << (g_machine.uart_irq % 32));
        tessera::arch::csr_set<tessera::arch::csr::sie>(kSeie);
    }
    if (self == 1) uart_write(kIer, 0);
    barrier();
    for (std::uint64_t round = 1; round <= rounds; ++round) {
        if (self == kReceiver) {
            wait_for("its UART interrupt of round", g_taken, round);
        } else {
            write_round(hart, round);
        }
    }
    if (self != kReceiver) wait_slot("hart 2's interrupt of round", kSlotPlicAck, rounds);
    barrier();
    if (self == 1) uart_write(kIer, 0);
    if (self == kReceiver) {
        tessera::arch::csr_clear<tessera::arch::csr::sie>(kSeie);
        write32(enable_reg(kReceiverContext, g_machine.uart_irq), 0);
    }
    barrier();
    if (self == 0) report();
}

}  // namespace smpstress
