// The CPU from VS-mode: the hypervisor's CSRs (HS and VS ones, which a
// guest without the H extension doesn't have), the machine-mode CSRs, the
// H extension's and M-mode's instructions, and misaligned atomics. Real
// hardware without H gives an illegal instruction for all of them (Tessera
// turns the virtual-instruction exceptions of HS/VS CSRs and H instructions
// into illegal instructions), and an address-misaligned exception for a
// misaligned LR or AMO. (Not SC: QEMU 7.2 checks an SC's alignment only when
// it holds a reservation, and a misaligned LR leaves none; the guest gets
// that exception straight from the CPU, the hypervisor takes no part.) stval holds the instruction's bits when this hart
// reports them for an ordinary illegal instruction, else 0.
#include "arch/riscv/csr.hpp"
#include "attacks.hpp"
#include "attempt.hpp"
#include "harts.hpp"

namespace hostile {
namespace {

using tessera::hex;
using tessera::Line;
namespace cause = guest::cause;

constexpr std::uint32_t kA0 = 10, kA1 = 11;
constexpr std::uint32_t kUnimp = 0xc0001073;  // csrrw x0, cycle, x0: writes a read-only CSR

// Whether stval carries an illegal instruction's bits (decided by the first
// attempt, on an instruction that is illegal everywhere).
bool g_stval_has_bits = true;

std::uint64_t expected_stval(std::uint32_t instruction) {
    return g_stval_has_bits ? instruction : 0;
}

constexpr std::uint32_t csrrs_read(std::uint32_t number) {  // csrr a0, number
    return number << 20 | 2 << 12 | kA0 << 7 | 0x73;
}
constexpr std::uint32_t csrrw_write(std::uint32_t number) {  // csrw number, a1
    return number << 20 | kA1 << 15 | 1 << 12 | 0x73;
}

template <std::uint32_t Number>
guest::Caught read_csr() {
    return my_hart().catcher.run([] {
        register std::uint64_t a0 asm("a0") = 0;
        asm volatile("csrr %0, %1" : "+r"(a0) : "i"(Number) : "memory");
    });
}

template <std::uint32_t Number>
guest::Caught write_csr(std::uint64_t value) {
    return my_hart().catcher.run([&] {
        register std::uint64_t a1 asm("a1") = value;
        asm volatile("csrw %0, %1" : : "i"(Number), "r"(a1) : "memory");
    });
}

// Reading and writing CSR `Number` must both be illegal instructions.
template <std::uint32_t Number>
void csr_pair(std::string_view kind, std::string_view name, std::uint64_t value) {
    Line title;
    title << kind << " CSR " << name << ": csrr, csrw " << hex(value);
    Attempt attempt(title.view(), "illegal instruction, both");
    const guest::Caught read = read_csr<Number>();
    const guest::Caught write = write_csr<Number>(value);
    attempt.expect_fault(read, cause::kIllegal, expected_stval(csrrs_read(Number)));
    attempt.expect_fault(write, cause::kIllegal, expected_stval(csrrw_write(Number)));
}

// Runs the 32-bit instruction `Bits` with a0 = 0 and a1 = `a1`.
template <std::uint32_t Bits>
guest::Caught run_instruction(std::uint64_t a1_value) {
    return my_hart().catcher.run([&] {
        register std::uint64_t a0 asm("a0") = 0;
        register std::uint64_t a1 asm("a1") = a1_value;
        asm volatile(".option push\n.option norvc\n.word %2\n.option pop"
                     : "+r"(a0), "+r"(a1)
                     : "i"(Bits)
                     : "memory");
    });
}

template <std::uint32_t Bits>
void illegal(std::string_view name, std::uint64_t a1 = 0) {
    Line title;
    title << name << " (" << hex(Bits) << ")";
    Attempt attempt(title.view(), "illegal instruction");
    attempt.expect_fault(run_instruction<Bits>(a1), cause::kIllegal, expected_stval(Bits));
}

void baseline() {
    Attempt attempt("unimp: a write to the read-only cycle CSR", "illegal instruction");
    const guest::Caught caught = run_instruction<kUnimp>(0);
    if (!attempt.expect(caught.taken && caught.scause == cause::kIllegal,
                        "no illegal instruction"))
        return;
    g_stval_has_bits = caught.stval == kUnimp;
    attempt.expect(caught.stval == kUnimp || caught.stval == 0,
                   "stval is neither the instruction nor 0");
}

void hypervisor_csrs() {
    namespace c = tessera::arch::csr;
    csr_pair<c::hstatus>("HS", "hstatus", ~0ULL);
    csr_pair<c::hedeleg>("HS", "hedeleg", ~0ULL);
    csr_pair<c::hideleg>("HS", "hideleg", ~0ULL);
    csr_pair<c::hie>("HS", "hie", ~0ULL);
    csr_pair<c::htimedelta>("HS", "htimedelta", 1ULL << 40);
    csr_pair<c::hcounteren>("HS", "hcounteren", 0);
    csr_pair<c::hgeie>("HS", "hgeie", ~0ULL);
    csr_pair<c::henvcfg>("HS", "henvcfg", 0);
    csr_pair<c::htval>("HS", "htval", 0);
    csr_pair<c::hip>("HS", "hip", ~0ULL);
    csr_pair<c::hvip>("HS", "hvip", 0x444);
    csr_pair<c::htinst>("HS", "htinst", 0);
    csr_pair<c::hgatp>("HS", "hgatp", 0);  // bare: host-physical addresses
    csr_pair<0xe12>("HS", "hgeip", 0);
    csr_pair<c::vsstatus>("VS", "vsstatus", 0);
    csr_pair<c::vsie>("VS", "vsie", ~0ULL);
    csr_pair<c::vstvec>("VS", "vstvec", 0);
    csr_pair<c::vsscratch>("VS", "vsscratch", 0);
    csr_pair<c::vsepc>("VS", "vsepc", 0);
    csr_pair<c::vscause>("VS", "vscause", 0);
    csr_pair<c::vstval>("VS", "vstval", 0);
    csr_pair<c::vsip>("VS", "vsip", ~0ULL);
    csr_pair<c::vsatp>("VS", "vsatp", 0);
    csr_pair<c::vstimecmp>("VS", "vstimecmp", 0);
}

void machine_csrs(const Targets& t) {
    csr_pair<0x300>("M", "mstatus", ~0ULL);
    csr_pair<0x301>("M", "misa", 0);
    csr_pair<0x302>("M", "medeleg", ~0ULL);
    csr_pair<0x303>("M", "mideleg", ~0ULL);
    csr_pair<0x304>("M", "mie", ~0ULL);
    csr_pair<0x305>("M", "mtvec", t.hypervisor.base);
    csr_pair<0x306>("M", "mcounteren", 0);
    csr_pair<0x30a>("M", "menvcfg", 0);
    csr_pair<0x340>("M", "mscratch", 0);
    csr_pair<0x341>("M", "mepc", t.hypervisor.base);
    csr_pair<0x342>("M", "mcause", 0);
    csr_pair<0x343>("M", "mtval", 0);
    csr_pair<0x344>("M", "mip", ~0ULL);
    csr_pair<0x3a0>("M", "pmpcfg0", 0x1f);
    csr_pair<0x3b0>("M", "pmpaddr0", ~0ULL);
    csr_pair<0x747>("M", "mseccfg", 0);
    csr_pair<0xb00>("M", "mcycle", 0);
    csr_pair<0xb02>("M", "minstret", 0);
    csr_pair<0xf11>("M", "mvendorid", 0);
    csr_pair<0xf14>("M", "mhartid", 0);
}

// The CSR writes above changed nothing: time runs on from where it was (no
// htimedelta), and host memory is still out of reach (no hgatp).
void nothing_changed(const Targets& t, std::uint64_t time_before) {
    {
        Attempt attempt("time after the htimedelta write", "runs on, no jump");
        const std::uint64_t elapsed = now() - time_before;
        attempt.expect(elapsed < 10 * t.timebase, "time jumped ahead by 10 s or more");
    }
    {
        Attempt attempt("the hypervisor after the hgatp write", "still a load access fault");
        attempt.expect_fault(guest::probe_load(my_hart().catcher, t.hypervisor.base).caught,
                             cause::kLoadAccess, t.hypervisor.base);
    }
}

constexpr std::uint32_t kMret = 0x30200073, kDret = 0x7b200073;
constexpr std::uint32_t kHfenceVvma = 0x22000073, kHfenceGvma = 0x62000073;
constexpr std::uint32_t kSinvalVma = 0x16000073;
// HLV.D a0, (a1); HSV.D a0, (a1); HLVX.WU a0, (a1)
constexpr std::uint32_t kHlvD = 0x6c000073 | kA1 << 15 | 4 << 12 | kA0 << 7;
constexpr std::uint32_t kHsvD = 0x6e000073 | kA0 << 20 | kA1 << 15 | 4 << 12;
constexpr std::uint32_t kHlvxWu = 0x68000073 | 3 << 20 | kA1 << 15 | 4 << 12 | kA0 << 7;

void privileged_instructions(const Targets& t) {
    illegal<kMret>("mret");
    illegal<kDret>("dret");
    illegal<kHfenceGvma>("hfence.gvma");
    illegal<kHfenceVvma>("hfence.vvma");
    illegal<kSinvalVma>("sinval.vma (no Svinval)");
    illegal<kHlvD>("hlv.d of the hypervisor", t.hypervisor.base);
    illegal<kHsvD>("hsv.d to the hypervisor", t.hypervisor.base);
    illegal<kHlvxWu>("hlvx.wu of the hypervisor", t.hypervisor.base);
}

void misaligned_atomics(const Targets& t) {
    guest::FaultCatcher& catcher = my_hart().catcher;
    const std::uint64_t odd = t.scratch + 4;  // 4-byte aligned, not 8
    {
        Attempt attempt("amoadd.d at a 4-byte aligned address", "store/AMO address misaligned");
        attempt.expect_fault(catcher.run([&] {
            std::uint64_t old;
            asm volatile("amoadd.d %0, %1, (%2)" : "=r"(old) : "r"(1), "r"(odd) : "memory");
        }), cause::kStoreMisaligned, odd);
    }
    {
        Attempt attempt("lr.d at a 4-byte aligned address", "load address misaligned");
        attempt.expect_fault(catcher.run([&] {
            std::uint64_t old;
            asm volatile("lr.d %0, (%1)" : "=r"(old) : "r"(odd) : "memory");
        }), cause::kLoadMisaligned, odd);
    }
    {
        const std::uint64_t half = t.scratch + 2;
        Attempt attempt("amoswap.w at a 2-byte aligned address", "store/AMO address misaligned");
        attempt.expect_fault(catcher.run([&] {
            std::uint64_t old;
            asm volatile("amoswap.w %0, %1, (%2)" : "=r"(old) : "r"(1), "r"(half) : "memory");
        }), cause::kStoreMisaligned, half);
    }
}

}  // namespace

void attack_cpu(const Targets& t) {
    baseline();
    const std::uint64_t time_before = now();
    hypervisor_csrs();
    machine_csrs(t);
    nothing_changed(t, time_before);
    privileged_instructions(t);
    misaligned_atomics(t);
}

}  // namespace hostile
