#include <doctest/doctest.h>

#include <cstdint>
#include <optional>

#include "arch/riscv/mmio_decoder.hpp"

using tessera::arch::decode_instruction;
using tessera::arch::decode_transformed;
using tessera::arch::extend_loaded;
using tessera::arch::MmioAccess;
using tessera::arch::stored_value;
using tessera::arch::writes_memory;

namespace {

// ---- Encoders, from the base and C instruction formats of the ISA manual ----

constexpr std::uint32_t kLoad = 0x03, kStore = 0x23, kLoadFp = 0x07, kStoreFp = 0x27,
                        kAmo = 0x2f, kSystem = 0x73, kOpImm = 0x13;

enum Funct3 : std::uint32_t { B = 0, H = 1, W = 2, D = 3, BU = 4, HU = 5, WU = 6 };

constexpr std::uint32_t i_type(std::uint32_t opcode, std::uint32_t funct3, std::uint32_t rd,
                               std::uint32_t rs1, std::int32_t imm) {
    return (static_cast<std::uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 |
           opcode;
}

constexpr std::uint32_t s_type(std::uint32_t opcode, std::uint32_t funct3, std::uint32_t rs1,
                               std::uint32_t rs2, std::int32_t imm) {
    const auto bits = static_cast<std::uint32_t>(imm) & 0xfff;
    return (bits >> 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (bits & 0x1f) << 7 | opcode;
}

constexpr std::uint32_t load(std::uint32_t funct3, std::uint32_t rd, std::uint32_t rs1,
                             std::int32_t imm) {
    return i_type(kLoad, funct3, rd, rs1, imm);
}
constexpr std::uint32_t store(std::uint32_t funct3, std::uint32_t rs2, std::uint32_t rs1,
                              std::int32_t imm) {
    return s_type(kStore, funct3, rs1, rs2, imm);
}
// AMO: funct5 | aq | rl | rs2 | rs1 | funct3 | rd | opcode
constexpr std::uint32_t amo(std::uint32_t funct5, std::uint32_t funct3, std::uint32_t rd,
                            std::uint32_t rs1, std::uint32_t rs2) {
    return funct5 << 27 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | kAmo;
}

constexpr std::uint32_t bit(std::uint32_t value, unsigned index) { return (value >> index) & 1; }
constexpr std::uint32_t field(std::uint32_t value, unsigned high, unsigned low) {
    return (value >> low) & ((1U << (high - low + 1)) - 1);
}

// Registers x8..x15 in the 3-bit fields.
constexpr std::uint32_t prime(std::uint32_t reg) { return reg - 8; }

// CL/CS: funct3 | imm | rs1' | imm | rd'/rs2' | quadrant 0
constexpr std::uint32_t c_word(std::uint32_t funct3, std::uint32_t reg, std::uint32_t rs1,
                               std::uint32_t offset) {
    // offset[5:3] -> 12:10, offset[2] -> 6, offset[6] -> 5
    return funct3 << 13 | field(offset, 5, 3) << 10 | prime(rs1) << 7 | bit(offset, 2) << 6 |
           bit(offset, 6) << 5 | prime(reg) << 2 | 0b00;
}
constexpr std::uint32_t c_double(std::uint32_t funct3, std::uint32_t reg, std::uint32_t rs1,
                                 std::uint32_t offset) {
    // offset[5:3] -> 12:10, offset[7:6] -> 6:5
    return funct3 << 13 | field(offset, 5, 3) << 10 | prime(rs1) << 7 | field(offset, 7, 6) << 5 |
           prime(reg) << 2 | 0b00;
}
constexpr std::uint32_t c_lw(std::uint32_t rd, std::uint32_t rs1, std::uint32_t offset) {
    return c_word(0b010, rd, rs1, offset);
}
constexpr std::uint32_t c_ld(std::uint32_t rd, std::uint32_t rs1, std::uint32_t offset) {
    return c_double(0b011, rd, rs1, offset);
}
constexpr std::uint32_t c_sw(std::uint32_t rs2, std::uint32_t rs1, std::uint32_t offset) {
    return c_word(0b110, rs2, rs1, offset);
}
constexpr std::uint32_t c_sd(std::uint32_t rs2, std::uint32_t rs1, std::uint32_t offset) {
    return c_double(0b111, rs2, rs1, offset);
}
constexpr std::uint32_t c_fld(std::uint32_t rd, std::uint32_t rs1, std::uint32_t offset) {
    return c_double(0b001, rd, rs1, offset);
}
constexpr std::uint32_t c_fsd(std::uint32_t rs2, std::uint32_t rs1, std::uint32_t offset) {
    return c_double(0b101, rs2, rs1, offset);
}

// CI (loads from sp): funct3 | offset[5] | rd | offset bits | quadrant 2
constexpr std::uint32_t c_lwsp(std::uint32_t rd, std::uint32_t offset) {
    // offset[4:2] -> 6:4, offset[7:6] -> 3:2
    return 0b010U << 13 | bit(offset, 5) << 12 | rd << 7 | field(offset, 4, 2) << 4 |
           field(offset, 7, 6) << 2 | 0b10;
}
constexpr std::uint32_t c_ldsp(std::uint32_t rd, std::uint32_t offset) {
    // offset[4:3] -> 6:5, offset[8:6] -> 4:2
    return 0b011U << 13 | bit(offset, 5) << 12 | rd << 7 | field(offset, 4, 3) << 5 |
           field(offset, 8, 6) << 2 | 0b10;
}
constexpr std::uint32_t c_fldsp(std::uint32_t rd, std::uint32_t offset) {
    return 0b001U << 13 | bit(offset, 5) << 12 | rd << 7 | field(offset, 4, 3) << 5 |
           field(offset, 8, 6) << 2 | 0b10;
}
// CSS (stores to sp): funct3 | offset bits | rs2 | quadrant 2
constexpr std::uint32_t c_swsp(std::uint32_t rs2, std::uint32_t offset) {
    // offset[5:2] -> 12:9, offset[7:6] -> 8:7
    return 0b110U << 13 | field(offset, 5, 2) << 9 | field(offset, 7, 6) << 7 | rs2 << 2 | 0b10;
}
constexpr std::uint32_t c_sdsp(std::uint32_t rs2, std::uint32_t offset) {
    // offset[5:3] -> 12:10, offset[8:6] -> 9:7
    return 0b111U << 13 | field(offset, 5, 3) << 10 | field(offset, 8, 6) << 7 | rs2 << 2 | 0b10;
}
constexpr std::uint32_t c_fsdsp(std::uint32_t rs2, std::uint32_t offset) {
    return 0b101U << 13 | field(offset, 5, 3) << 10 | field(offset, 8, 6) << 7 | rs2 << 2 | 0b10;
}

// htinst for a load/store: the instruction with rs1 and the offset zeroed (the rs1
// field carries the address offset of a misaligned access), bit 1 cleared when the
// original was compressed.
constexpr std::uint32_t transformed_load(std::uint32_t funct3, std::uint32_t rd, bool compressed,
                                         std::uint32_t address_offset = 0) {
    const std::uint32_t insn = load(funct3, rd, address_offset, 0);
    return compressed ? insn & ~2U : insn;
}
constexpr std::uint32_t transformed_store(std::uint32_t funct3, std::uint32_t rs2, bool compressed,
                                          std::uint32_t address_offset = 0) {
    const std::uint32_t insn = store(funct3, rs2, address_offset, 0);
    return compressed ? insn & ~2U : insn;
}

void check_access(const std::optional<MmioAccess>& access, bool is_store, unsigned width,
                  bool sign_extend, unsigned reg, unsigned length) {
    REQUIRE(access.has_value());
    CHECK(access->is_store == is_store);
    CHECK(access->width == width);
    CHECK(access->sign_extend == sign_extend);
    CHECK(access->reg == reg);
    CHECK(access->length == length);
}

// Spot checks of the encoders against encodings the assembler produces.
static_assert(load(W, 10, 11, 4) == 0x0045a503);      // lw a0, 4(a1)
static_assert(store(D, 15, 2, -8) == 0xfef13c23);     // sd a5, -8(sp)
static_assert(c_lw(10, 11, 4) == 0x41c8);              // c.lw a0, 4(a1)
static_assert(c_sdsp(1, 8) == 0xe406);                 // c.sdsp ra, 8(sp)
static_assert(c_lwsp(31, 252) == 0x5ffe);              // c.lwsp t6, 252(sp)
static_assert(c_ldsp(1, 504) == 0x70fe);               // c.ldsp ra, 504(sp)
static_assert(c_swsp(31, 252) == 0xdffe);              // c.swsp t6, 252(sp)
static_assert(c_ld(9, 15, 248) == 0x7fe4);             // c.ld s1, 248(a5)
static_assert(c_sw(9, 15, 68) == 0xc3e4);              // c.sw s1, 68(a5)
static_assert(c_fld(8, 9, 8) == 0x2480);               // c.fld fs0, 8(s1)
static_assert(c_fsdsp(10, 8) == 0xa42a);               // c.fsdsp fa0, 8(sp)
static_assert(amo(0b00010, W, 10, 11, 0) == 0x1005a52f);   // lr.w a0, (a1)
static_assert(amo(0b00001, W, 10, 11, 12) == 0x08c5a52f);  // amoswap.w a0, a2, (a1)
static_assert(decode_instruction(0x0045a503)->width == 4);  // usable at compile time

}  // namespace

TEST_CASE("every RV64 integer load, for every rd") {
    struct Case {
        std::uint32_t funct3;
        unsigned width;
        bool sign_extend;
    };
    const Case cases[] = {{B, 1, true},  {H, 2, true},   {W, 4, true}, {D, 8, false},
                          {BU, 1, false}, {HU, 2, false}, {WU, 4, false}};
    for (const Case& c : cases) {
        for (std::uint32_t rd = 0; rd < 32; ++rd) {
            CAPTURE(c.funct3);
            CAPTURE(rd);
            check_access(decode_instruction(load(c.funct3, rd, 31 - rd, -2048)), false, c.width,
                         c.sign_extend, rd, 4);
            check_access(decode_instruction(load(c.funct3, rd, rd, 2047)), false, c.width,
                         c.sign_extend, rd, 4);
        }
    }
}

TEST_CASE("every RV64 integer store, for every rs2") {
    struct Case {
        std::uint32_t funct3;
        unsigned width;
    };
    const Case cases[] = {{B, 1}, {H, 2}, {W, 4}, {D, 8}};
    for (const Case& c : cases) {
        for (std::uint32_t rs2 = 0; rs2 < 32; ++rs2) {
            CAPTURE(c.funct3);
            CAPTURE(rs2);
            check_access(decode_instruction(store(c.funct3, rs2, 31 - rs2, -1)), true, c.width,
                         false, rs2, 4);
            check_access(decode_instruction(store(c.funct3, rs2, 5, 0x7e0)), true, c.width, false,
                         rs2, 4);
        }
    }
}

TEST_CASE("compressed loads and stores with 3-bit registers name x8..x15") {
    for (std::uint32_t reg = 8; reg < 16; ++reg) {
        for (std::uint32_t base = 8; base < 16; ++base) {
            CAPTURE(reg);
            CAPTURE(base);
            check_access(decode_instruction(c_lw(reg, base, 0x7c)), false, 4, true, reg, 2);
            check_access(decode_instruction(c_ld(reg, base, 0xf8)), false, 8, false, reg, 2);
            check_access(decode_instruction(c_sw(reg, base, 0x44)), true, 4, false, reg, 2);
            check_access(decode_instruction(c_sd(reg, base, 0x88)), true, 8, false, reg, 2);
        }
    }
}

TEST_CASE("compressed loads and stores relative to sp use full register numbers") {
    for (std::uint32_t reg = 0; reg < 32; ++reg) {
        CAPTURE(reg);
        if (reg != 0) {
            check_access(decode_instruction(c_lwsp(reg, 0xfc)), false, 4, true, reg, 2);
            check_access(decode_instruction(c_ldsp(reg, 0x1f8)), false, 8, false, reg, 2);
        }
        check_access(decode_instruction(c_swsp(reg, 0xfc)), true, 4, false, reg, 2);
        check_access(decode_instruction(c_sdsp(reg, 0x1f8)), true, 8, false, reg, 2);
    }
    // rd = x0 is reserved for C.LWSP and C.LDSP.
    CHECK_FALSE(decode_instruction(c_lwsp(0, 8)).has_value());
    CHECK_FALSE(decode_instruction(c_ldsp(0, 8)).has_value());
}

TEST_CASE("a compressed instruction is decoded from its low 16 bits only") {
    // What follows it in memory (here: the upper half of the fetched word) does not matter.
    check_access(decode_instruction(0xabcd0000 | c_sd(9, 10, 16)), true, 8, false, 9, 2);
    check_access(decode_instruction(0xffff0000 | c_lwsp(31, 4)), false, 4, true, 31, 2);
}

TEST_CASE("instructions that are not integer loads or stores are rejected") {
    const std::uint32_t rejected[] = {
        0x00000000,                       // illegal (all zeros)
        0xffffffff,                       // illegal (all ones)
        load(7, 10, 11, 0),               // LOAD with funct3 111
        store(4, 10, 11, 0),              // STORE with funct3 100..111
        store(5, 10, 11, 0),
        store(6, 10, 11, 0),
        store(7, 10, 11, 0),
        i_type(kLoadFp, W, 10, 11, 0),    // FLW
        i_type(kLoadFp, D, 10, 11, 8),    // FLD
        s_type(kStoreFp, W, 11, 10, 0),   // FSW
        s_type(kStoreFp, D, 11, 10, 8),   // FSD
        amo(0b00010, W, 10, 11, 0),       // LR.W
        amo(0b00011, D, 10, 11, 12),      // SC.D
        amo(0b00001, W, 10, 11, 12),      // AMOSWAP.W
        amo(0b00000, D, 10, 11, 12),      // AMOADD.D
        i_type(kSystem, 0b001, 10, 11, 0x140),  // csrrw a0, sscratch, a1
        i_type(kSystem, 0b010, 10, 0, 0xc01),   // rdtime a0
        i_type(kOpImm, 0, 10, 11, 4),     // addi a0, a1, 4
        c_fld(8, 9, 8),                   // C.FLD
        c_fsd(8, 9, 8),                   // C.FSD
        c_fldsp(10, 8),                   // C.FLDSP
        c_fsdsp(10, 8),                   // C.FSDSP
        0x0000,                           // illegal 16-bit instruction
        0x0040,                           // C.ADDI4SPN s0, sp, 4
        0x8000 | 0b00,                    // reserved quadrant-0 funct3 100
        0x4529,                           // C.LI a0, 10 (quadrant 1)
        0x852e,                           // C.MV a0, a1 (quadrant 2)
    };
    for (std::uint32_t insn : rejected) {
        CAPTURE(insn);
        CHECK_FALSE(decode_instruction(insn).has_value());
    }
}

TEST_CASE("transformed instructions from htinst") {
    for (std::uint32_t reg = 0; reg < 32; ++reg) {
        CAPTURE(reg);
        check_access(decode_transformed(transformed_load(B, reg, false)), false, 1, true, reg, 4);
        check_access(decode_transformed(transformed_load(HU, reg, false)), false, 2, false, reg, 4);
        check_access(decode_transformed(transformed_load(WU, reg, false)), false, 4, false, reg, 4);
        check_access(decode_transformed(transformed_store(H, reg, false)), true, 2, false, reg, 4);
        check_access(decode_transformed(transformed_store(D, reg, false)), true, 8, false, reg, 4);
    }
    // A compressed original: the 32-bit equivalent with bit 1 clear, so 2 bytes to skip.
    check_access(decode_transformed(transformed_load(W, 9, true)), false, 4, true, 9, 2);
    check_access(decode_transformed(transformed_load(D, 2, true)), false, 8, false, 2, 2);
    check_access(decode_transformed(transformed_store(W, 15, true)), true, 4, false, 15, 2);
    check_access(decode_transformed(transformed_store(D, 1, true)), true, 8, false, 1, 2);
    // A misaligned access keeps its address offset in the rs1 field.
    check_access(decode_transformed(transformed_load(D, 10, false, 3)), false, 8, false, 10, 4);
    check_access(decode_transformed(transformed_store(W, 11, true, 2)), true, 4, false, 11, 2);
}

TEST_CASE("htinst values that are not transformed integer loads or stores") {
    const std::uint64_t rejected[] = {
        0,       // no information: the caller fetches the instruction
        0x2000,  // pseudoinstruction: 32-bit read of an implicit VS-stage access
        0x3000,  // 64-bit read
        0x2020,  // 32-bit write
        0x3020,  // 64-bit write
        amo(0b00001, W, 10, 0, 12),             // transformed AMOSWAP.W
        amo(0b00010, D, 10, 0, 0),              // transformed LR.D
        amo(0b00011, W, 10, 0, 12) & ~2U,       // transformed SC.W with bit 1 clear
        i_type(kLoadFp, D, 10, 0, 0),           // transformed FLD
        s_type(kStoreFp, D, 0, 10, 0) & ~2U,    // transformed C.FSD
        load(7, 10, 0, 0),                      // LOAD funct3 111
        std::uint64_t{1} << 32 | load(W, 10, 0, 0),  // not a 32-bit instruction
    };
    for (std::uint64_t htinst : rejected) {
        CAPTURE(htinst);
        CHECK_FALSE(decode_transformed(htinst).has_value());
    }
}

TEST_CASE("loaded values are cut to the width and sign- or zero-extended") {
    auto access = [](std::uint32_t funct3) {
        return *decode_instruction(load(funct3, 10, 11, 0));
    };
    // The sign bit set
    CHECK(extend_loaded(access(B), 0x80) == 0xffffffffffffff80);
    CHECK(extend_loaded(access(BU), 0x80) == 0x80);
    CHECK(extend_loaded(access(H), 0x8001) == 0xffffffffffff8001);
    CHECK(extend_loaded(access(HU), 0x8001) == 0x8001);
    CHECK(extend_loaded(access(W), 0x80000002) == 0xffffffff80000002);
    CHECK(extend_loaded(access(WU), 0x80000002) == 0x80000002);
    CHECK(extend_loaded(access(D), 0x8000000000000003) == 0x8000000000000003);
    // The sign bit clear
    CHECK(extend_loaded(access(B), 0x7f) == 0x7f);
    CHECK(extend_loaded(access(H), 0x7fff) == 0x7fff);
    CHECK(extend_loaded(access(W), 0x7fffffff) == 0x7fffffff);
    // Bits above the width are dropped before extending
    CHECK(extend_loaded(access(B), 0x1234) == 0x34);
    CHECK(extend_loaded(access(BU), 0xffffff00) == 0);
    CHECK(extend_loaded(access(H), 0x12348765) == 0xffffffffffff8765);
    CHECK(extend_loaded(access(WU), 0xffffffff00000001) == 1);
    CHECK(extend_loaded(access(W), 0x00000001ffffffff) == ~std::uint64_t{0});
    // Compressed loads extend like their full forms
    CHECK(extend_loaded(*decode_instruction(c_lw(8, 9, 0)), 0xfffffffe) == 0xfffffffffffffffe);
    CHECK(extend_loaded(*decode_instruction(c_ldsp(1, 0)), 0xfffffffe) == 0xfffffffe);
}

TEST_CASE("stored values are the low bytes of the source register") {
    auto access = [](std::uint32_t funct3) {
        return *decode_instruction(store(funct3, 10, 11, 0));
    };
    CHECK(stored_value(access(B), 0x1122334455667788) == 0x88);
    CHECK(stored_value(access(H), 0x1122334455667788) == 0x7788);
    CHECK(stored_value(access(W), 0x1122334455667788) == 0x55667788);
    CHECK(stored_value(access(D), 0x1122334455667788) == 0x1122334455667788);
}

TEST_CASE("which access fault an instruction gets: loads read, stores and AMOs write") {
    for (const std::uint32_t insn : {load(B, 10, 11, 0), load(D, 1, 2, -8), load(WU, 31, 31, 4),
                                     i_type(kLoadFp, D, 10, 11, 8), amo(0b00010, D, 10, 11, 0),
                                     c_lw(8, 9, 4), c_ld(15, 8, 8), c_fld(8, 9, 8),
                                     c_lwsp(10, 4), c_ldsp(1, 8), c_fldsp(10, 8)}) {
        CAPTURE(insn);
        CHECK(writes_memory(insn) == std::optional<bool>(false));
    }
    for (const std::uint32_t insn : {store(B, 10, 11, 0), store(D, 0, 2, -8),
                                     s_type(kStoreFp, D, 11, 10, 8), amo(0b00011, D, 10, 11, 12),
                                     amo(0b00001, W, 10, 11, 12), amo(0b00000, D, 10, 11, 12),
                                     c_sw(8, 9, 4), c_sd(15, 8, 8), c_fsd(8, 9, 8),
                                     c_swsp(10, 4), c_sdsp(1, 8), c_fsdsp(10, 8)}) {
        CAPTURE(insn);
        CHECK(writes_memory(insn) == std::optional<bool>(true));
    }
    for (const std::uint32_t insn : {i_type(kOpImm, 0, 10, 11, 1),  // addi
                                     i_type(kSystem, 2, 10, 0, 0x600),  // csrr
                                     0x00000013U,                       // nop
                                     0x0001U,                           // c.nop
                                     0x0000U,                           // c.unimp (C.ADDI4SPN 0)
                                     0x8082U}) {                        // c.jr ra (ret)
        CAPTURE(insn);
        CHECK_FALSE(writes_memory(insn).has_value());
    }
}
