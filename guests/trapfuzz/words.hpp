// The instruction words the fuzzer executes, and the little it needs to know
// about one to check the trap it raised: its length, whether it may
// transfer control, and, for a load, store or AMO, its effective address.
#pragma once

#include <cstdint>

#include "prng.hpp"

namespace trapfuzz {

struct Word {
    std::uint32_t bits;   // a 16-bit instruction in the low half
    std::uint8_t length;  // 2 or 4 bytes
};

// A 16-bit instruction when the low two bits are not 11.
constexpr Word make_word(std::uint32_t bits) {
    return (bits & 3) == 3 ? Word{bits, 4} : Word{bits & 0xffff, 2};
}

// A pseudo-random instruction: any 32 bits, a random word with a real major
// opcode, a privileged SYSTEM instruction (ecall, ebreak, sret, mret, wfi,
// sfence/hfence/hinval, HLV/HSV, CSR access to a privileged CSR, fences),
// a load/store/AMO with a valid encoding, or any 16-bit compressed parcel.
Word random_instruction(Prng& rng);

// CSR instruction encodings. funct3: 1 csrrw, 2 csrrs, 3 csrrc; 5-7 the
// immediate forms, whose rs1 field is a 5-bit value.
inline constexpr std::uint32_t kCsrFunct3[] = {1, 2, 3, 5, 6, 7};
constexpr Word csr_instruction(std::uint32_t funct3, std::uint32_t csr, std::uint32_t rd,
                               std::uint32_t rs1_or_uimm) {
    return Word{((csr & 0xfff) << 20) | ((rs1_or_uimm & 31) << 15) | ((funct3 & 7) << 12) |
                    ((rd & 31) << 7) | 0x73,
                4};
}

// Whether the word is a branch or jump (its target, not the next
// instruction, runs next).
bool is_control_transfer(Word word);

// A load, store, AMO, LR or SC (integer or FP: F and D, full-size or
// compressed): the address is regs[base] + offset.
struct MemoryAccess {
    bool valid = false;
    bool store = false;  // stores, SC and AMOs raise store/AMO faults
    unsigned base = 0;
    std::int64_t offset = 0;
    unsigned width = 0;
    bool conditional = false;  // SC: may fail without touching memory
};
MemoryAccess memory_access(Word word);

}  // namespace trapfuzz
