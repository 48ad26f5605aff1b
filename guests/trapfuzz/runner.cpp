#include "runner.hpp"

#include "arch/riscv/csr.hpp"
#include "lower_mode.hpp"
#include "paging.hpp"
#include "sbi.hpp"
#include "sv39.hpp"

extern "C" {
TrapfuzzTrap trapfuzz_trap;
volatile std::uint64_t trapfuzz_after[32];
TrapfuzzResume trapfuzz_resume;
}

namespace trapfuzz {
namespace {

using tessera::arch::csr_clear;
using tessera::arch::csr_read;
using tessera::arch::csr_set;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;
namespace sv39 = guest::sv39;

constexpr std::uint16_t kScounteren = 0x106, kSenvcfg = 0x10a;
constexpr std::uint64_t kSie = 1ULL << 1, kSsip = 1ULL << 1;
constexpr std::uint64_t kSum = 1ULL << 18;  // the fuzzer writes words into the user-mode arena
constexpr std::uint64_t kFsMask = 3ULL << 13, kFsInitial = 1ULL << 13;  // FP instructions work
constexpr std::uint64_t kCounters = 0x7;  // cycle, time, instret readable in VU-mode

std::uint64_t now() { return csr_read<csr::time>(); }

}  // namespace

Runner::Runner(const Layout& layout) : layout_(layout) {
    ticks_ahead_ = layout.timebase / 200;  // 5 ms
    sv39_satp_ = build_vu_tables(layout);
    csr_write<csr::stvec>(reinterpret_cast<std::uintptr_t>(&trapfuzz_trap_entry));
    csr_write<csr::sscratch>(0);
    csr_write<kScounteren>(kCounters);
    csr_write<csr::satp>(0);
    sv39::sfence_vma();
    sstatus_ = (csr_read<csr::sstatus>() & ~(kSie | kFsMask)) | kSum | kFsInitial;
    csr_write<csr::sstatus>(sstatus_);
    stvec_ = csr_read<csr::stvec>();
    scounteren_ = csr_read<kScounteren>();
    senvcfg_ = csr_read<kSenvcfg>();
    csr_write<csr::sie>(0);
    set_timer(~0ULL);
}

// stimecmp with Sstc, else SBI set_timer (the hypervisor's stand-in timer).
void Runner::set_timer(std::uint64_t when) const {
    if (layout_.sstc) {
        csr_write<csr::stimecmp>(when);
    } else {
        guest::sbi::set_timer(when);
    }
}

void Runner::switch_to(Mode mode) {
    mode_ = mode;
    satp_ = mode == Mode::VU ? sv39_satp_ : 0;
    csr_write<csr::satp>(satp_);
    sv39::sfence_vma();
}

void Runner::restore_state() {
    csr_write<csr::sie>(0);
    set_timer(~0ULL);
    csr_clear<csr::sip>(kSsip);
    csr_write<csr::sstatus>(sstatus_);
    csr_write<csr::stvec>(stvec_);
    csr_write<csr::sscratch>(0);
    csr_write<kScounteren>(scounteren_);
    csr_write<kSenvcfg>(senvcfg_);
    if (csr_read<csr::satp>() != satp_) {
        csr_write<csr::satp>(satp_);
        sv39::sfence_vma();
    }
}

Outcome Runner::run(std::uint64_t entry, const std::uint64_t regs[32], std::uint64_t previous,
                    std::uint64_t interrupts) {
    set_timer(now() + ticks_ahead_);
    csr_write<csr::sie>(kStie | interrupts);
    trapfuzz_trap.taken = 0;
    trapfuzz_trap.active = 1;  // from here a trap ends the operation
    guest_enter_lower(regs, entry, previous);
    trapfuzz_trap.active = 0;
    restore_state();
    Outcome outcome;
    outcome.trapped = trapfuzz_trap.taken != 0;
    if (outcome.trapped) {
        outcome.scause = trapfuzz_trap.scause;
        outcome.stval = trapfuzz_trap.stval;
        outcome.sepc = trapfuzz_trap.sepc;
        outcome.sstatus = trapfuzz_trap.sstatus;
    }
    return outcome;
}

Outcome Runner::run_word(Word word, const std::uint64_t regs[32], std::uint64_t interrupts) {
    constexpr std::uint64_t kEcallU = 8;
    const std::uint64_t back = place_word(layout_, word, mode_);
    const std::uint64_t previous = mode_ == Mode::VS
                                       ? guest::kPreviousSupervisor | guest::kPreviousInterruptsOn
                                       : 0;
    Outcome outcome = run(layout_.middle, regs, previous, interrupts);
    if (mode_ == Mode::VU && outcome.trapped && outcome.scause == kEcallU && outcome.sepc == back)
        outcome = Outcome{};
    return outcome;
}

Outcome Runner::run_sbi_stub(const std::uint64_t regs[32]) {
    trapfuzz_resume.resumed = 0;
    return run(reinterpret_cast<std::uintptr_t>(&trapfuzz_sbi_stub), regs,
               guest::kPreviousSupervisor, 0);
}

}  // namespace trapfuzz
