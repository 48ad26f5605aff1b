#include "seed_run.hpp"

#include "arch/riscv/csr.hpp"
#include "checks.hpp"
#include "console.hpp"
#include "operands.hpp"
#include "paging.hpp"
#include "sv39.hpp"

namespace trapfuzz {
namespace {

using guest::hex;
using guest::Out;

constexpr std::uint64_t kBatch = 16;  // operations of one kind in a row

std::uint64_t now() { return tessera::arch::csr_read<tessera::arch::csr::time>(); }

}  // namespace

SeedRun::SeedRun(const Layout& layout, std::uint64_t seed)
    : layout_(layout), seed_(seed), rng_(seed), runner_(layout), sbi_(layout, runner_, counters_) {
    csr_start_[0] = rng_.below(4096);
    csr_start_[1] = rng_.below(4096);
    csr_stride_ = 2 * rng_.below(2048) + 1;  // odd: every CSR number once per 4096 ops
}

const Counters& SeedRun::run(std::uint64_t count) {
    const std::uint64_t started = now();
    fill_arena(layout_);
    runner_.switch_to(Mode::VS);
    sbi_.probe_known(rng_);
    for (std::uint64_t op = 0; op < count;) {
        const std::uint64_t kind = rng_.below(100);
        const std::uint64_t batch = count - op < kBatch ? count - op : kBatch;
        // Some VU-mode batches go through freshly randomized page tables.
        const bool fuzz_paging = kind >= 35 && kind < 55 && rng_.percent(40);
        for (std::uint64_t i = 0; i < batch; ++i, ++op) {
            if (kind < 35) {
                instruction(Mode::VS, op, false);
            } else if (kind < 55) {
                instruction(Mode::VU, op, fuzz_paging);
            } else if (kind < 70) {
                csr_op(Mode::VS, op);
            } else if (kind < 80) {
                csr_op(Mode::VU, op);
            } else {
                use(Mode::VS);
                sbi_.fuzz_one(rng_, op);
            }
        }
    }
    use(Mode::VS);
    ticks_ = now() - started;
    return counters_;
}

void SeedRun::print_figures() const {
    // A word may have left part of a line in the 16550: start a new one.
    Out out;
    out << "\ntrapfuzz: seed " << seed_ << " traps by scause:";
    for (unsigned i = 0; i < 32; ++i) {
        if (counters_.causes[i] == 0) continue;
        out << (i < 16 ? " " : " irq") << (i & 15) << ":" << counters_.causes[i];
    }
    out << "\n";
    Out() << "trapfuzz: seed " << seed_ << ": " << ticks_ * 1000 / layout_.timebase << " ms, "
          << counters_.device_accesses << " device accesses, " << counters_.device_served
          << " emulated\n";
}

bool SeedRun::aims_at_device(std::uint64_t address, Mode mode) const {
    if (mode == Mode::VU && address - kDeviceAlias < (1ULL << 30)) address -= kDeviceAlias;
    return address - layout_.plic < layout_.plic_size || address - layout_.uart < layout_.uart_size;
}

void SeedRun::use(Mode mode) {
    if (runner_.mode() != mode) runner_.switch_to(mode);
}

void SeedRun::execute(Mode mode, Word word, const std::uint64_t regs[32], std::uint64_t op,
                  const char* what) {
    use(mode);
    // Sometimes the software and external interrupts too: a word may
    // have the virtual PLIC raise VSEIP, or an IPI may be pending.
    const std::uint64_t interrupts = rng_.percent(25) ? kSsie | kSeie : 0;
    const Outcome outcome = runner_.run_word(word, regs, interrupts);
    if (outcome.trapped) counters_.count_trap(outcome.scause);
    const MemoryAccess access = memory_access(word);
    if (access.valid && aims_at_device(regs[access.base] + static_cast<std::uint64_t>(access.offset), mode)) {
        ++counters_.device_accesses;
        if (!outcome.trapped) ++counters_.device_served;
    }
    const char* wrong = check_word_outcome(layout_, mode, word, regs, interrupts, outcome);
    if (wrong != nullptr && counters_.failure()) {
        Out() << "\ntrapfuzz: FAIL op " << op << (mode == Mode::VS ? " VS " : " VU ") << what
              << " " << hex(word.bits) << ": " << wrong << ": scause " << hex(outcome.scause)
              << " stval " << hex(outcome.stval) << " sepc " << hex(outcome.sepc) << "\n";
    }
}

void SeedRun::instruction(Mode mode, std::uint64_t op, bool fuzz_paging) {
    std::uint64_t regs[32];
    random_registers(rng_, layout_, mode, regs);
    if (fuzz_paging) {
        randomize_fuzzed_tables(rng_, layout_);
        guest::sv39::sfence_vma();
        for (unsigned i = 1; i < 32; ++i)
            if (rng_.percent(30)) regs[i] = fuzzed_address(rng_);
    }
    Word word = rng_.percent(10) ? device_access(rng_, layout_, mode, regs) : random_instruction(rng_);
    if (fuzz_paging && rng_.percent(10)) {
        // A jump through the fuzzed tables: jalr rd, 0(rs1).
        const std::uint32_t base = static_cast<std::uint32_t>(1 + rng_.below(31));
        regs[base] = fuzzed_address(rng_) & ~1ULL;
        word = make_word(base << 15 | static_cast<std::uint32_t>(rng_.below(32)) << 7 | 0x67);
    }
    ++counters_.instructions;
    execute(mode, word, regs, op, "instruction");
}

// The CSR sweep: CSR numbers in a seed-given order that visits all 4096
// once per 4096 operations of each mode; random access kind and value.
void SeedRun::csr_op(Mode mode, std::uint64_t op) {
    const unsigned index = mode == Mode::VS ? 0 : 1;
    const std::uint32_t csr =
        static_cast<std::uint32_t>((csr_start_[index] + csr_done_[index]++ * csr_stride_) & 0xfff);
    std::uint64_t regs[32];
    random_registers(rng_, layout_, mode, regs);
    std::uint32_t funct3 = rng_.pick(kCsrFunct3);
    std::uint32_t source = static_cast<std::uint32_t>(rng_.below(32));
    if (rng_.percent(20)) {
        funct3 = 2;  // csrr: a plain read
        source = 0;
    } else if (funct3 < 4 && source != 0) {
        regs[source] = random_value(rng_, layout_, mode);
    }
    const Word word = csr_instruction(funct3, csr, static_cast<std::uint32_t>(rng_.below(32)), source);
    ++counters_.csr_ops;
    execute(mode, word, regs, op, "csr op");
}

}  // namespace trapfuzz
