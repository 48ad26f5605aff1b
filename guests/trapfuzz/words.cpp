#include "words.hpp"

namespace trapfuzz {
namespace {

constexpr std::uint32_t bits(std::uint32_t value, unsigned high, unsigned low) {
    return (value >> low) & ((1U << (high - low + 1)) - 1);
}

constexpr std::int64_t sign_extend(std::uint32_t value, unsigned width) {
    const std::uint64_t sign = 1ULL << (width - 1);
    return static_cast<std::int64_t>((value ^ sign) - sign);
}

// Every major opcode of the 32-bit base encodings the guest's ISA may know.
constexpr std::uint32_t kMajorOpcodes[] = {
    0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37,
    0x3b, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73,
};

// Whole privileged and fence instructions (registers added where they have any).
constexpr std::uint32_t kEcall = 0x00000073, kEbreak = 0x00100073, kSret = 0x10200073,
                        kMret = 0x30200073, kDret = 0x7b200073, kWfi = 0x10500073,
                        kUret = 0x00200073, kMnret = 0x70200073, kFenceI = 0x0000100f,
                        kFence = 0x0ff0000f, kFenceTso = 0x8330000f, kPause = 0x0100000f,
                        kSfenceWInval = 0x18000073, kSfenceInvalIr = 0x18100073;
constexpr std::uint32_t kFixedSystem[] = {kEcall, kEbreak, kSret,   kMret,     kDret,
                                          kWfi,   kUret,   kMnret,  kFenceI,   kFence,
                                          kFenceTso, kPause, kSfenceWInval, kSfenceInvalIr};
// R-type privileged fences with rs1/rs2: sfence.vma, sinval.vma, hfence.vvma,
// hfence.gvma, hinval.vvma, hinval.gvma.
constexpr std::uint32_t kFenceWithRegisters[] = {0x12000073, 0x16000073, 0x22000073,
                                                 0x62000073, 0x26000073, 0x66000073};
// Hypervisor loads and stores: (funct7, rs2 field). HLV.B/BU, HLV.H/HU,
// HLVX.HU, HLV.W/WU, HLVX.WU, HLV.D; HSV.B/H/W/D (rs2 = the value).
struct HypervisorAccess {
    std::uint32_t funct7, rs2;
};
constexpr HypervisorAccess kHypervisorLoads[] = {{0x30, 0}, {0x30, 1}, {0x32, 0}, {0x32, 1},
                                                 {0x32, 3}, {0x34, 0}, {0x34, 1}, {0x34, 3},
                                                 {0x36, 0}};
constexpr std::uint32_t kHypervisorStoreFunct7[] = {0x31, 0x33, 0x35, 0x37};
// CSRs a random privileged instruction aims at (the CSR sweep covers all
// 4096 numbers separately): S, VS, H and M-mode ones, counters, debug, FP.
constexpr std::uint32_t kPrivilegedCsrs[] = {
    0x001, 0x002, 0x003, 0x015, 0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141, 0x142,
    0x143, 0x144, 0x14d, 0x180, 0x200, 0x204, 0x205, 0x240, 0x241, 0x242, 0x243, 0x244,
    0x24d, 0x280, 0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x30a, 0x340, 0x341, 0x342,
    0x343, 0x344, 0x3a0, 0x3b0, 0x600, 0x602, 0x603, 0x604, 0x605, 0x606, 0x607, 0x60a,
    0x643, 0x644, 0x645, 0x64a, 0x680, 0x7a0, 0x7a1, 0x7b0, 0x7b1, 0x7b2, 0xb00, 0xb02,
    0xc00, 0xc01, 0xc02, 0xc03, 0xe12, 0xf11, 0xf12, 0xf13, 0xf14};

// Valid AMO funct5 values (LR and SC included) and their widths (funct3 2/3).
constexpr std::uint32_t kAmoFunct5[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x08,
                                        0x0c, 0x10, 0x14, 0x18, 0x1c};

std::uint32_t reg(Prng& rng) { return static_cast<std::uint32_t>(rng.below(32)); }

Word privileged_instruction(Prng& rng) {
    switch (rng.below(5)) {
        case 0: return make_word(rng.pick(kFixedSystem));
        case 1: return make_word(rng.pick(kFenceWithRegisters) | reg(rng) << 20 | reg(rng) << 15);
        case 2: {
            const HypervisorAccess load = rng.pick(kHypervisorLoads);
            return make_word(load.funct7 << 25 | load.rs2 << 20 | reg(rng) << 15 | 4U << 12 |
                             reg(rng) << 7 | 0x73);
        }
        case 3:
            return make_word(rng.pick(kHypervisorStoreFunct7) << 25 | reg(rng) << 20 |
                             reg(rng) << 15 | 4U << 12 | 0x73);
        default:
            return csr_instruction(rng.pick(kCsrFunct3), rng.pick(kPrivilegedCsrs), reg(rng),
                                   reg(rng));
    }
}

// A load, store, FP load/store or AMO with a valid encoding.
Word memory_instruction(Prng& rng) {
    const std::uint32_t random = static_cast<std::uint32_t>(rng.next());
    const std::uint32_t keep = random & 0xfff'f8f80;  // registers and immediates
    switch (rng.below(5)) {
        case 0: return make_word(keep | static_cast<std::uint32_t>(rng.below(7)) << 12 | 0x03);
        case 1: return make_word(keep | static_cast<std::uint32_t>(rng.below(4)) << 12 | 0x23);
        case 2: return make_word(keep | static_cast<std::uint32_t>(2 + rng.below(2)) << 12 | 0x07);
        case 3: return make_word(keep | static_cast<std::uint32_t>(2 + rng.below(2)) << 12 | 0x27);
        default: {
            std::uint32_t funct5 = rng.pick(kAmoFunct5);
            std::uint32_t word = funct5 << 27 | (random & 0x07ff'8f80) |
                                 static_cast<std::uint32_t>(2 + rng.below(2)) << 12 | 0x2f;
            if (funct5 == 0x02) word &= ~(31U << 20);  // LR: rs2 = 0
            return make_word(word);
        }
    }
}

}  // namespace

Word random_instruction(Prng& rng) {
    const std::uint32_t random = static_cast<std::uint32_t>(rng.next());
    const std::uint64_t kind = rng.below(100);
    if (kind < 20) return make_word(random);
    if (kind < 55) return make_word((random & ~0x7fU) | rng.pick(kMajorOpcodes));
    if (kind < 67) return privileged_instruction(rng);
    if (kind < 80) return memory_instruction(rng);
    const std::uint32_t parcel = random & 0xffff;
    return make_word((parcel & 3) == 3 ? (parcel & ~3U) | static_cast<std::uint32_t>(rng.below(3))
                                       : parcel);
}

bool is_control_transfer(Word word) {
    const std::uint32_t insn = word.bits;
    if (word.length == 4) {
        const std::uint32_t opcode = bits(insn, 6, 0);
        return opcode == 0x63 || opcode == 0x67 || opcode == 0x6f;
    }
    const std::uint32_t quadrant = bits(insn, 1, 0), funct3 = bits(insn, 15, 13);
    if (quadrant == 1) return funct3 == 5 || funct3 == 6 || funct3 == 7;  // c.j, c.beqz, c.bnez
    // c.jr and c.jalr: rs2 = 0, rs1 != 0.
    return quadrant == 2 && funct3 == 4 && bits(insn, 6, 2) == 0 && bits(insn, 11, 7) != 0;
}

MemoryAccess memory_access(Word word) {
    const std::uint32_t insn = word.bits;
    MemoryAccess access;
    if (word.length == 4) {
        const std::uint32_t opcode = bits(insn, 6, 0), funct3 = bits(insn, 14, 12);
        const std::uint32_t rs1 = bits(insn, 19, 15);
        const std::int64_t load_imm = sign_extend(bits(insn, 31, 20), 12);
        const std::int64_t store_imm = sign_extend(bits(insn, 31, 25) << 5 | bits(insn, 11, 7), 12);
        constexpr unsigned kIntWidth[] = {1, 2, 4, 8, 1, 2, 4, 0};
        constexpr unsigned kFpWidth[] = {0, 0, 4, 8, 0, 0, 0, 0};  // flw/fld (no Zfh, no Q)
        switch (opcode) {
            case 0x03: access = {kIntWidth[funct3] != 0, false, rs1, load_imm, kIntWidth[funct3]}; break;
            case 0x07: access = {kFpWidth[funct3] != 0, false, rs1, load_imm, kFpWidth[funct3]}; break;
            case 0x23: access = {funct3 < 4, true, rs1, store_imm, kIntWidth[funct3]}; break;
            case 0x27: access = {kFpWidth[funct3] != 0, true, rs1, store_imm, kFpWidth[funct3]}; break;
            case 0x2f: {
                const std::uint32_t funct5 = bits(insn, 31, 27);
                bool known = false;
                for (std::uint32_t f : kAmoFunct5) known = known || f == funct5;
                if (funct5 == 0x02 && bits(insn, 24, 20) != 0) known = false;  // LR: rs2 = 0
                access = {known && (funct3 == 2 || funct3 == 3), funct5 != 0x02, rs1, 0,
                          funct3 == 2 ? 4U : 8U, funct5 == 0x03};
                break;
            }
            default: break;
        }
        return access;
    }
    const std::uint32_t quadrant = bits(insn, 1, 0), funct3 = bits(insn, 15, 13);
    if (quadrant == 0) {
        const unsigned base = 8 + bits(insn, 9, 7);
        const std::int64_t word_offset = bits(insn, 12, 10) << 3 | bits(insn, 6, 6) << 2 |
                                         bits(insn, 5, 5) << 6;
        const std::int64_t double_offset = bits(insn, 12, 10) << 3 | bits(insn, 6, 5) << 6;
        switch (funct3) {
            case 1: return {true, false, base, double_offset, 8};  // c.fld
            case 2: return {true, false, base, word_offset, 4};    // c.lw
            case 3: return {true, false, base, double_offset, 8};  // c.ld
            case 5: return {true, true, base, double_offset, 8};   // c.fsd
            case 6: return {true, true, base, word_offset, 4};     // c.sw
            case 7: return {true, true, base, double_offset, 8};   // c.sd
            default: return access;
        }
    }
    if (quadrant == 2) {
        constexpr unsigned kSp = 2;
        const std::int64_t load_double = bits(insn, 12, 12) << 5 | bits(insn, 6, 5) << 3 |
                                         bits(insn, 4, 2) << 6;
        const std::int64_t load_word = bits(insn, 12, 12) << 5 | bits(insn, 6, 4) << 2 |
                                       bits(insn, 3, 2) << 6;
        const std::int64_t store_double = bits(insn, 12, 10) << 3 | bits(insn, 9, 7) << 6;
        const std::int64_t store_word = bits(insn, 12, 9) << 2 | bits(insn, 8, 7) << 6;
        const bool rd_nonzero = bits(insn, 11, 7) != 0;
        switch (funct3) {
            case 1: return {true, false, kSp, load_double, 8};            // c.fldsp
            case 2: return {rd_nonzero, false, kSp, load_word, 4};        // c.lwsp
            case 3: return {rd_nonzero, false, kSp, load_double, 8};      // c.ldsp
            case 5: return {true, true, kSp, store_double, 8};            // c.fsdsp
            case 6: return {true, true, kSp, store_word, 4};              // c.swsp
            case 7: return {true, true, kSp, store_double, 8};            // c.sdsp
            default: return access;
        }
    }
    return access;
}

}  // namespace trapfuzz
