// Catching the exception an access is expected to raise, for bare-metal
// guests that probe what they may not touch (prober, hostile). With
// common/trap_entry.S as the trap vector, the guest's guest_trap() hands
// every exception to FaultCatcher::take() first:
//
//   guest::FaultCatcher catcher;
//   const guest::Caught caught = catcher.run([] { /* the access */ });
//   // caught.taken, caught.scause, caught.stval, caught.sepc
//
// run() arms the catcher, runs the access and disarms it; take() records the
// first exception raised while armed and resumes after the instruction that
// raised it (2 or 4 bytes on), or, for a failed instruction fetch, at the
// saved ra, as if the called address had returned. One catcher per hart.
#pragma once

#include <cstdint>

#include "arch/riscv/csr.hpp"

namespace guest {

// The registers common/trap_entry.S saves on the interrupted stack, in its
// order; guest_trap() may change them (they are reloaded on return).
struct TrapFrame {
    std::uint64_t ra;
    std::uint64_t t0, t1, t2, t3, t4, t5, t6;
    std::uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
};
static_assert(sizeof(TrapFrame) == 16 * 8, "trap_entry.S FRAME_SIZE");

// An exception as the trap handler saw it.
struct Caught {
    bool taken = false;
    std::uint64_t scause = 0, stval = 0, sepc = 0;
};

inline constexpr std::uint64_t kInterruptBit = 1ULL << 63;

namespace cause {
inline constexpr std::uint64_t kInsnMisaligned = 0, kInsnAccess = 1, kIllegal = 2,
                               kLoadMisaligned = 4, kLoadAccess = 5, kStoreMisaligned = 6,
                               kStoreAccess = 7, kInsnPageFault = 12, kLoadPageFault = 13,
                               kStorePageFault = 15;
}

// Length of the instruction at `pc`: 4 when its low two bits are 11, else 2.
// Read as 16 bits, so that a compressed one at the end of a page doesn't
// touch the next page.
inline std::uint64_t instruction_length(std::uint64_t pc) {
    const std::uint16_t low = *reinterpret_cast<const volatile std::uint16_t*>(pc);
    return (low & 3) == 3 ? 4 : 2;
}

inline void compiler_barrier() { asm volatile("" ::: "memory"); }

class FaultCatcher {
public:
    template <class Access>
    Caught run(Access access) {
        caught_ = Caught{};
        compiler_barrier();
        armed_ = true;
        compiler_barrier();
        access();
        compiler_barrier();
        armed_ = false;
        compiler_barrier();
        return caught_;
    }

    // From guest_trap(): records an exception raised while armed and steps
    // over it; false (nothing changed) for an interrupt or when not armed.
    bool take(std::uint64_t scause, TrapFrame& frame) {
        using namespace tessera::arch;
        if ((scause & kInterruptBit) != 0 || !armed_ || caught_.taken) return false;
        const std::uint64_t sepc = csr_read<csr::sepc>();
        caught_.taken = true;
        caught_.scause = scause;
        caught_.stval = csr_read<csr::stval>();
        caught_.sepc = sepc;
        const bool fetch = scause == cause::kInsnAccess || scause == cause::kInsnPageFault ||
                           scause == cause::kInsnMisaligned;
        csr_write<csr::sepc>(fetch ? frame.ra : sepc + instruction_length(sepc));
        return true;
    }

private:
    volatile bool armed_ = false;
    Caught caught_;
};

// A probe of one address: what a load read (if it didn't fault) and the
// exception it raised.
struct Probe {
    Caught caught;
    std::uint64_t value = 0;
};

inline Probe probe_load(FaultCatcher& catcher, std::uint64_t address) {
    Probe probe;
    probe.caught = catcher.run([&] {
        std::uint64_t value = 0;
        asm volatile("ld %0, 0(%1)" : "+r"(value) : "r"(address) : "memory");
        probe.value = value;
    });
    return probe;
}

inline Probe probe_store(FaultCatcher& catcher, std::uint64_t address, std::uint64_t value) {
    Probe probe;
    probe.caught = catcher.run(
        [&] { asm volatile("sd %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); });
    return probe;
}

// Whether an access raised exactly the access fault real hardware raises
// for an address with nothing the guest may reach behind it.
inline bool access_faulted(const Caught& caught, bool store, std::uint64_t address) {
    return caught.taken && caught.scause == (store ? cause::kStoreAccess : cause::kLoadAccess) &&
           caught.stval == address;
}

}  // namespace guest
