// The benchmark guest. The same ELF runs natively on SBI firmware (OpenSBI,
// S-mode) and as a Tessera partition (VS-mode); tools/bench/run_bench.py
// boots it both ways under QEMU -icount shift=0 and compares what it prints:
//
//   bench: <name> <instructions per operation, one decimal>
//
// Counts come from instret, which then counts every instruction retired at
// every privilege level (guest, hypervisor, firmware). See docs/performance.md.
#include <cstdint>
#include <string_view>

#include "fdt.hpp"
#include "lib/text.hpp"
#include "sbi.hpp"

extern "C" {
std::uint64_t bench_run(std::uint64_t n, void (*op)());
void bench_op_empty();
void bench_op_sbi_base();
void bench_op_sbi_set_timer();
void bench_op_mmio_read();
void bench_op_timer_delay();
void bench_op_timer_sstc();
void bench_op_timer_sbi();
void bench_op_rtc_irq();
void bench_op_pagewalk();
void bench_op_alu();
void bench_vec_timer_sstc();
void bench_vec_timer_sbi();
void bench_vec_rtc();
void bench_vec_unexpected();
extern volatile std::uint32_t bench_flag;
extern volatile std::uint64_t bench_waits;
}

namespace {

namespace sbi = guest::sbi;

constexpr std::uint64_t kImplTessera = 0x54455353;
constexpr std::uint64_t kLegacyPutchar = 0x01, kLegacyGetchar = 0x02, kTime = 0x54494D45;
constexpr std::uint64_t kDefaultIterations = 1000;
constexpr std::uint64_t kMaxIterations = 1000000;
constexpr std::uint64_t kWarmup = 16;

// ---- Output: the legacy console call, which every SBI firmware has --------

void put(char c) { sbi::call(kLegacyPutchar, 0, static_cast<std::uint8_t>(c)); }

struct Out {
    Out& operator<<(std::string_view text) {
        for (char c : text) put(c);
        return *this;
    }
    Out& operator<<(std::uint64_t value) {
        tessera::format_dec(value, put);
        return *this;
    }
};

struct Hex {
    std::uint64_t value;
};
Out& operator<<(Out& out, Hex hex) {
    tessera::format_hex(hex.value, put);
    return out;
}

// ---- CSRs and MMIO --------------------------------------------------------

#define CSR_WRITE(name, value) asm volatile("csrw " #name ", %0" ::"r"(value) : "memory")
#define CSR_SET(name, bits) asm volatile("csrs " #name ", %0" ::"r"(bits) : "memory")
#define CSR_CLEAR(name, bits) asm volatile("csrc " #name ", %0" ::"r"(bits) : "memory")

std::uint64_t csr_scause() {
    std::uint64_t value;
    asm volatile("csrr %0, scause" : "=r"(value));
    return value;
}
std::uint64_t csr_sepc() {
    std::uint64_t value;
    asm volatile("csrr %0, sepc" : "=r"(value));
    return value;
}
std::uint64_t csr_stval() {
    std::uint64_t value;
    asm volatile("csrr %0, stval" : "=r"(value));
    return value;
}

void write32(std::uint64_t address, std::uint32_t value) {
    *reinterpret_cast<volatile std::uint32_t*>(address) = value;
}

constexpr std::uint64_t kSstatusSie = 1u << 1;
constexpr std::uint64_t kSieStie = 1u << 5, kSieSeie = 1u << 9;

// QEMU virt: PLIC, its S-mode context of hart 0, the goldfish RTC.
constexpr std::uint64_t kPlic = 0x0c000000;
constexpr std::uint32_t kRtcIrq = 11;
constexpr std::uint64_t kPlicEnableCtx1 = kPlic + 0x2000 + 0x80;
constexpr std::uint64_t kPlicThresholdCtx1 = kPlic + 0x200000 + 0x1000;
constexpr std::uint64_t kRtc = 0x101000;
constexpr std::uint64_t kRtcIrqEnabled = 0x10, kRtcClearAlarm = 0x14, kRtcClearInterrupt = 0x1c;

// ---- Results --------------------------------------------------------------

[[noreturn]] void fail(std::string_view why) {
    Out() << "bench: FAIL " << why << "\n";
    sbi::shutdown(false);
}

// Runs op `warmup` times, then n times between two instret reads; prints
// (that count - the same loop around `baseline`) / n with one decimal.
// bench_op_empty as the baseline takes out the loop itself.
void report(std::string_view name, void (*op)(), std::uint64_t n,
            std::uint64_t warmup = kWarmup, void (*baseline)() = bench_op_empty) {
    bench_run(warmup, op);
    bench_waits = 0;
    const std::uint64_t total = bench_run(n, op);
    const std::uint64_t waits = bench_waits;
    const std::uint64_t base = bench_run(n, baseline);
    const std::uint64_t net = total > base ? total - base : 0;
    const std::uint64_t tenths = net * 10 / n;
    Out() << "bench: " << name << " " << tenths / 10 << "." << tenths % 10 << "\n";
    // A wait in wfi adds idle time to instret: the figure is not a pure count.
    if (waits != 0) Out() << "bench: " << name << "_waits " << waits << "\n";
}

// ---- Setup of each benchmark ----------------------------------------------

void set_stvec(void (*vector)()) { CSR_WRITE(stvec, reinterpret_cast<std::uintptr_t>(vector)); }

// Sv39: VA 0x80000000-0xbfffffff identity-mapped by one 1 GiB page (code,
// data, stack); VA 0x40000000 + 8 MiB mapped with 4 KiB pages onto the RAM
// at 0x81000000, one level-0 table per 2 MiB.
constexpr std::uint64_t kPageWalkVa = 0x40000000, kPageWalkPa = 0x81000000;
constexpr std::uint64_t kPageWalkPages = 2048;
alignas(4096) std::uint64_t g_root[512];
alignas(4096) std::uint64_t g_level1[512];
alignas(4096) std::uint64_t g_level0[kPageWalkPages / 512][512];

constexpr std::uint64_t kPteV = 1, kPteR = 2, kPteW = 4, kPteX = 8, kPteA = 64, kPteD = 128;

std::uint64_t pte_table(const void* table) {
    return (reinterpret_cast<std::uintptr_t>(table) >> 12) << 10 | kPteV;
}
std::uint64_t pte_leaf(std::uint64_t pa, std::uint64_t flags) {
    return (pa >> 12) << 10 | flags | kPteV | kPteA | kPteD;
}

void build_page_tables() {
    g_root[0x80000000 >> 30] = pte_leaf(0x80000000, kPteR | kPteW | kPteX);
    g_root[kPageWalkVa >> 30] = pte_table(g_level1);
    for (std::uint64_t table = 0; table < kPageWalkPages / 512; ++table) {
        g_level1[table] = pte_table(g_level0[table]);
        for (std::uint64_t entry = 0; entry < 512; ++entry)
            g_level0[table][entry] =
                pte_leaf(kPageWalkPa + (table * 512 + entry) * 4096, kPteR | kPteW);
    }
}

void mmu_on() {
    const std::uint64_t satp = (8ULL << 60) | (reinterpret_cast<std::uintptr_t>(g_root) >> 12);
    asm volatile("sfence.vma\n csrw satp, %0\n sfence.vma" ::"r"(satp) : "memory");
}
void mmu_off() { asm volatile("csrw satp, zero\n sfence.vma" ::: "memory"); }

// ---- Inputs ---------------------------------------------------------------

struct DtFacts {
    bool sstc = false;
};

DtFacts read_dt(const void* dtb) {
    DtFacts facts;
    const guest::Fdt fdt(dtb);
    if (!fdt.valid()) return facts;
    fdt.for_each_property([&](int depth, std::string_view node, std::string_view property,
                              const std::uint8_t* value, std::uint32_t length) {
        if (depth != 2 || node != "cpu@0" || property != "riscv,isa" || length == 0) return;
        const std::string_view isa(reinterpret_cast<const char*>(value), length - 1);
        // Multi-letter extensions are separated by '_': look for "_sstc" followed
        // by the end of the string or another '_'.
        constexpr std::string_view kSstc = "_sstc";
        for (std::size_t at = 0; at + kSstc.size() <= isa.size(); ++at) {
            std::size_t matched = 0;
            while (matched < kSstc.size() && isa[at + matched] == kSstc[matched]) ++matched;
            const std::size_t end = at + kSstc.size();
            if (matched == kSstc.size() && (end == isa.size() || isa[end] == '_'))
                facts.sstc = true;
        }
    });
    return facts;
}

// The runner types the iteration count on the console ("<digits>\n"). Without
// one (an interactive run), the default is used after a while.
std::uint64_t read_iterations() {
    Out() << "bench: iterations?\n";
    std::uint64_t value = 0;
    bool digits = false;
    for (std::uint64_t polls = 0; polls < 200000; ++polls) {
        const std::int64_t c = sbi::call(kLegacyGetchar, 0).error;  // legacy: a0 = byte or -1
        if (c < 0) continue;
        polls = 0;
        if (c >= '0' && c <= '9') {
            value = value * 10 + static_cast<std::uint64_t>(c - '0');
            digits = true;
            if (value > kMaxIterations) value = kMaxIterations;
        } else if ((c == '\n' || c == '\r') && digits) {
            break;
        }
    }
    return digits && value > 0 ? value : kDefaultIterations;
}

}  // namespace

extern "C" [[noreturn]] void bench_unexpected_trap() {
    Out() << "bench: FAIL unexpected trap scause=" << Hex{csr_scause()} << " sepc="
          << Hex{csr_sepc()} << " stval=" << Hex{csr_stval()} << "\n";
    sbi::shutdown(false);
}

extern "C" [[noreturn]] void guest_main(std::uint64_t hart_id, const void* dtb,
                                        std::uint64_t boot_instret) {
    set_stvec(bench_vec_unexpected);
    const bool tessera = sbi::call(sbi::kBase, 1).value == kImplTessera;
    const DtFacts facts = read_dt(dtb);
    Out() << "bench: env " << (tessera ? "tessera" : "native") << " sstc "
          << (facts.sstc ? "yes" : "no") << " hart " << hart_id << "\n";
    Out() << "bench: boot " << boot_instret << "\n";

    const std::uint64_t n = read_iterations();
    Out() << "bench: iterations " << n << "\n";
    {
        const std::uint64_t empty = bench_run(n, bench_op_empty);
        const std::uint64_t tenths = empty * 10 / n;
        Out() << "bench: loop_overhead " << tenths / 10 << "." << tenths % 10 << "\n";
    }

    report("sbi_base", bench_op_sbi_base, n);
    report("sbi_set_timer", bench_op_sbi_set_timer, n);
    report("mmio_read", bench_op_mmio_read, n);

    // Timer interrupts.
    CSR_CLEAR(sie, kSieSeie);
    CSR_SET(sie, kSieStie);
    if (facts.sstc) {
        set_stvec(bench_vec_timer_sstc);
        CSR_SET(sstatus, kSstatusSie);
        report("timer_sstc", bench_op_timer_sstc, n, kWarmup, bench_op_timer_delay);
        CSR_CLEAR(sstatus, kSstatusSie);
        CSR_WRITE(0x14d, ~0ULL);
    }
    set_stvec(bench_vec_timer_sbi);
    CSR_SET(sstatus, kSstatusSie);
    report("timer_sbi", bench_op_timer_sbi, n, kWarmup, bench_op_timer_delay);
    CSR_CLEAR(sstatus, kSstatusSie);
    sbi::call(kTime, 0, ~0ULL);
    CSR_CLEAR(sie, kSieStie);

    // The RTC's interrupt through the PLIC's S context of hart 0.
    write32(kPlic + 4 * kRtcIrq, 1);
    write32(kPlicThresholdCtx1, 0);
    write32(kPlicEnableCtx1, 1u << kRtcIrq);
    write32(kRtc + kRtcClearAlarm, 0);
    write32(kRtc + kRtcClearInterrupt, 0);
    write32(kRtc + kRtcIrqEnabled, 1);
    set_stvec(bench_vec_rtc);
    CSR_SET(sie, kSieSeie);
    CSR_SET(sstatus, kSstatusSie);
    report("irq_passthrough", bench_op_rtc_irq, n);
    CSR_CLEAR(sstatus, kSstatusSie);
    CSR_CLEAR(sie, kSieSeie);
    write32(kRtc + kRtcIrqEnabled, 0);
    if (bench_flag != kRtcIrq) fail("the PLIC claim did not return the RTC's source");
    set_stvec(bench_vec_unexpected);

    build_page_tables();
    mmu_on();
    report("pagewalk", bench_op_pagewalk, n / 20 > 0 ? n / 20 : 1, 2);  // per pass
    mmu_off();

    report("alu", bench_op_alu, n);

    Out() << "bench: done\n";
    sbi::shutdown(true);
}
