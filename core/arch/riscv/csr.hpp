// CSR numbers, bit fields and accessors used by the hypervisor (HS-mode).
// CSRs are named by number so that every assembler (GNU as, LLVM) accepts
// them whatever extensions its -march lists.
#pragma once

#include <cstdint>

namespace tessera::arch {

namespace csr {
inline constexpr std::uint16_t sstatus = 0x100;
inline constexpr std::uint16_t sie = 0x104;
inline constexpr std::uint16_t stvec = 0x105;
inline constexpr std::uint16_t sscratch = 0x140;
inline constexpr std::uint16_t sepc = 0x141;
inline constexpr std::uint16_t scause = 0x142;
inline constexpr std::uint16_t stval = 0x143;
inline constexpr std::uint16_t sip = 0x144;
inline constexpr std::uint16_t stimecmp = 0x14D;  // Sstc
inline constexpr std::uint16_t time = 0xC01;      // read-only: the platform's timer
inline constexpr std::uint16_t satp = 0x180;
inline constexpr std::uint16_t vsstatus = 0x200;
inline constexpr std::uint16_t vsie = 0x204;
inline constexpr std::uint16_t vstvec = 0x205;
inline constexpr std::uint16_t vsscratch = 0x240;
inline constexpr std::uint16_t vsepc = 0x241;
inline constexpr std::uint16_t vscause = 0x242;
inline constexpr std::uint16_t vstval = 0x243;
inline constexpr std::uint16_t vsip = 0x244;
inline constexpr std::uint16_t vstimecmp = 0x24D;  // Sstc
inline constexpr std::uint16_t vsatp = 0x280;
inline constexpr std::uint16_t hstatus = 0x600;
inline constexpr std::uint16_t hedeleg = 0x602;
inline constexpr std::uint16_t hideleg = 0x603;
inline constexpr std::uint16_t hie = 0x604;
inline constexpr std::uint16_t htimedelta = 0x605;
inline constexpr std::uint16_t hcounteren = 0x606;
inline constexpr std::uint16_t hgeie = 0x607;
inline constexpr std::uint16_t henvcfg = 0x60a;
inline constexpr std::uint16_t htval = 0x643;
inline constexpr std::uint16_t hip = 0x644;
inline constexpr std::uint16_t hvip = 0x645;
inline constexpr std::uint16_t htinst = 0x64a;
inline constexpr std::uint16_t hgatp = 0x680;
}  // namespace csr

namespace sstatus_bits {
inline constexpr std::uint64_t SIE = 1ULL << 1;
inline constexpr std::uint64_t SPIE = 1ULL << 5;
inline constexpr std::uint64_t SPP = 1ULL << 8;
inline constexpr std::uint64_t FS = 3ULL << 13;
inline constexpr std::uint64_t FS_INITIAL = 1ULL << 13;
}  // namespace sstatus_bits

namespace hstatus_bits {
inline constexpr std::uint64_t GVA = 1ULL << 6;
inline constexpr std::uint64_t SPV = 1ULL << 7;
inline constexpr std::uint64_t SPVP = 1ULL << 8;
inline constexpr std::uint64_t HU = 1ULL << 9;
inline constexpr std::uint64_t VTVM = 1ULL << 20;
inline constexpr std::uint64_t VTW = 1ULL << 21;
inline constexpr std::uint64_t VTSR = 1ULL << 22;
}  // namespace hstatus_bits

namespace henvcfg_bits {
inline constexpr std::uint64_t STCE = 1ULL << 63;  // Sstc: VS-mode owns vstimecmp
}

// Supervisor interrupt enable/pending bits (sie/sip) of HS-mode itself.
namespace sie_bits {
inline constexpr std::uint64_t SSIE = 1ULL << 1;
inline constexpr std::uint64_t STIE = 1ULL << 5;
inline constexpr std::uint64_t SEIE = 1ULL << 9;
}  // namespace sie_bits

// Interrupt causes (scause with INTERRUPT_BIT set).
namespace interrupt {
inline constexpr std::uint64_t SUPERVISOR_SOFTWARE = 1;
inline constexpr std::uint64_t SUPERVISOR_TIMER = 5;
inline constexpr std::uint64_t SUPERVISOR_EXTERNAL = 9;
}  // namespace interrupt

namespace hgatp_bits {
inline constexpr std::uint64_t MODE_SV39X4 = 8ULL << 60;
inline constexpr unsigned VMID_SHIFT = 44;
}  // namespace hgatp_bits

// Exception codes (scause with the interrupt bit clear).
namespace cause {
inline constexpr std::uint64_t INSN_MISALIGNED = 0;
inline constexpr std::uint64_t INSN_ACCESS = 1;
inline constexpr std::uint64_t ILLEGAL_INSN = 2;
inline constexpr std::uint64_t BREAKPOINT = 3;
inline constexpr std::uint64_t LOAD_MISALIGNED = 4;
inline constexpr std::uint64_t LOAD_ACCESS = 5;
inline constexpr std::uint64_t STORE_MISALIGNED = 6;
inline constexpr std::uint64_t STORE_ACCESS = 7;
inline constexpr std::uint64_t ECALL_U = 8;
inline constexpr std::uint64_t ECALL_VS = 10;
inline constexpr std::uint64_t INSN_PAGE_FAULT = 12;
inline constexpr std::uint64_t LOAD_PAGE_FAULT = 13;
inline constexpr std::uint64_t STORE_PAGE_FAULT = 15;
inline constexpr std::uint64_t INSN_GUEST_PAGE_FAULT = 20;
inline constexpr std::uint64_t LOAD_GUEST_PAGE_FAULT = 21;
inline constexpr std::uint64_t VIRTUAL_INSN = 22;
inline constexpr std::uint64_t STORE_GUEST_PAGE_FAULT = 23;
inline constexpr std::uint64_t INTERRUPT_BIT = 1ULL << 63;
}  // namespace cause

// Interrupt bits in hideleg/hvip/hip.
namespace irq_bits {
inline constexpr std::uint64_t VSSIP = 1ULL << 2;
inline constexpr std::uint64_t VSTIP = 1ULL << 6;
inline constexpr std::uint64_t VSEIP = 1ULL << 10;
}  // namespace irq_bits

template <std::uint16_t Csr>
inline std::uint64_t csr_read() {
    std::uint64_t value = 0;  // (an output-only operand: the compiler drops the store)
    asm volatile("csrr %0, %1" : "=r"(value) : "i"(Csr));
    return value;
}

template <std::uint16_t Csr>
inline void csr_write(std::uint64_t value) {
    asm volatile("csrw %0, %1" : : "i"(Csr), "r"(value) : "memory");
}

template <std::uint16_t Csr>
inline void csr_set(std::uint64_t bits) {
    asm volatile("csrs %0, %1" : : "i"(Csr), "r"(bits) : "memory");
}

template <std::uint16_t Csr>
inline void csr_clear(std::uint64_t bits) {
    asm volatile("csrc %0, %1" : : "i"(Csr), "r"(bits) : "memory");
}

// hfence.gvma zero, zero: flush every guest-physical translation on this hart.
inline void hfence_gvma_all() {
    asm volatile(".insn r 0x73, 0x0, 0x31, x0, x0, x0" ::: "memory");
}

// hfence.vvma zero, zero: flush the VS-stage translations of the current VMID.
inline void hfence_vvma_all() {
    asm volatile(".insn r 0x73, 0x0, 0x11, x0, x0, x0" ::: "memory");
}

inline void fence_i() { asm volatile("fence.i" ::: "memory"); }

inline void wait_for_interrupt() { asm volatile("wfi" ::: "memory"); }

[[noreturn]] inline void halt_hart() {
    for (;;) asm volatile("wfi");
}

}  // namespace tessera::arch
