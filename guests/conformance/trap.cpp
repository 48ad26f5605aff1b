#include "trap.hpp"

#include "lower_mode.hpp"

extern "C" void conformance_trap_entry();

namespace conformance {

HartTraps g_traps[kMaxHarts];
volatile std::uint32_t g_unexpected_count = 0;
Trap g_last_unexpected;

namespace {

volatile bool g_user_active = false;
UserRun g_user_run;

// Length of the instruction at `pc`: 4 when its low two bits are 11, else 2.
// Read as 16 bits so that a compressed instruction at the end of a page
// doesn't touch the next one.
std::uint64_t instruction_length(std::uint64_t pc) {
    const std::uint16_t low = *reinterpret_cast<const volatile std::uint16_t*>(pc);
    return (low & 3) == 3 ? 4 : 2;
}

bool is_fetch_fault(std::uint64_t scause) {
    return scause == kInsnAccess || scause == kInsnPageFault || scause == 0 /* misaligned */;
}

void step_over(TrapFrame& frame) {
    if (is_fetch_fault(frame.scause)) {
        frame.sepc = frame.x[1];  // the "call" of a bad address returns
    } else {
        frame.sepc += instruction_length(frame.sepc);
    }
}

void take_interrupt(TrapFrame& frame) {
    const unsigned code = static_cast<unsigned>(frame.scause & 63);
    HartTraps& traps = my_traps();
    csr_clear<csr::sie>(bit(code));  // one-shot: the next wait enables it again
    traps.last_irq = frame.scause;
    traps.irq_count = traps.irq_count + 1;
    if (code == kIrqExternal && traps.on_external != nullptr) traps.on_external();
    traps.irq_seen = traps.irq_seen | bit(code);
}

void take_user_exception(TrapFrame& frame, const Trap& trap) {
    if (g_user_run.count < kMaxUserTraps) g_user_run.traps[g_user_run.count++] = trap;
    if (frame.scause == kEcallU) {
        // Back to guest_enter_lower's caller, in supervisor mode.
        g_user_active = false;
        g_user_run.returned = true;
        frame.sepc = reinterpret_cast<std::uintptr_t>(&guest_lower_return);
        csr_set<csr::sstatus>(kSstatusSpp);
        return;
    }
    step_over(frame);
}

}  // namespace

void install_trap_vector(std::uint64_t hart) {
    asm volatile("mv tp, %0" : : "r"(hart));
    csr_write<csr::sscratch>(0);
    csr_write<csr::stvec>(reinterpret_cast<std::uintptr_t>(&conformance_trap_entry));
}

bool wait_for_interrupt(unsigned code, std::uint64_t ticks) {
    HartTraps& traps = my_traps();
    traps.irq_seen = traps.irq_seen & ~bit(code);
    compiler_barrier();
    csr_set<csr::sie>(bit(code));
    csr_set<csr::sstatus>(kSstatusSie);
    const bool taken = wait_until([&] { return (traps.irq_seen & bit(code)) != 0; }, ticks);
    csr_clear<csr::sstatus>(kSstatusSie);
    csr_clear<csr::sie>(bit(code));
    return taken;
}

bool interrupt_pending(unsigned code, std::uint64_t ticks) {
    if (csr_read<csr::sip>() & bit(code)) return true;
    return wait_for_interrupt(code, ticks);
}

UserRun run_user(std::uint64_t entry, std::uint64_t a0, std::uint64_t a1, std::uint64_t user_sp) {
    g_user_run = UserRun{};
    compiler_barrier();
    g_user_active = true;
    compiler_barrier();
    std::uint64_t regs[32] = {};
    regs[2] = user_sp;
    regs[10] = a0;
    regs[11] = a1;
    guest_enter_lower(regs, entry, 0);  // user mode, back through the ecall
    compiler_barrier();
    g_user_active = false;
    return g_user_run;
}

}  // namespace conformance

extern "C" void conformance_trap(conformance::TrapFrame* frame) {
    using namespace conformance;
    if (frame->scause & kInterrupt) {
        take_interrupt(*frame);
        return;
    }
    Trap trap;
    trap.taken = true;
    trap.from_user = (frame->sstatus & kSstatusSpp) == 0;
    trap.scause = frame->scause;
    trap.stval = frame->stval;
    trap.sepc = frame->sepc;
    if (trap.from_user && g_user_active) {
        take_user_exception(*frame, trap);
        return;
    }
    HartTraps& traps = my_traps();
    if (traps.armed && !traps.caught.taken) {
        traps.caught = trap;
    } else {
        g_last_unexpected = trap;
        g_unexpected_count = g_unexpected_count + 1;
    }
    step_over(*frame);
}
