// Decoding the load or store behind a guest-page fault, so that the
// hypervisor can emulate an access to a virtual device register.
//
// Two sources of the instruction:
//  - htinst, when the hardware writes a transformed instruction (bit 0 set).
//    A transformed load/store keeps opcode, funct3 and rd/rs2; its immediate
//    is zero, its rs1 field holds the address offset of a misaligned access
//    (ignored here) and bit 1 is cleared when the original was compressed.
//  - the raw instruction, fetched by the caller from guest memory when htinst
//    is 0. A compressed instruction needs only its low 16 bits; the caller
//    passes 32 bits when (insn & 3) == 3.
//
// Only RV64 integer loads and stores decode. FP loads/stores, AMOs, LR/SC,
// the pseudoinstructions of implicit VS-stage accesses and anything else give
// nullopt: the caller treats the fault as one it cannot emulate.
//
// Everything is constexpr so that the encodings can be checked at compile time.
#pragma once

#include <cstdint>
#include <optional>

namespace tessera::arch {

struct MmioAccess {
    bool is_store;
    std::uint8_t width;    // 1, 2, 4 or 8 bytes
    bool sign_extend;      // loads: LB/LH/LW sign-extend; LBU/LHU/LWU and LD do not
    std::uint8_t reg;      // rd for loads, rs2 for stores (x0..x31)
    std::uint8_t length;   // instruction length in bytes (2 or 4): how far to advance sepc
};

namespace mmio_detail {

inline constexpr std::uint32_t kOpcodeLoad = 0x03;   // LB LH LW LD LBU LHU LWU
inline constexpr std::uint32_t kOpcodeStore = 0x23;  // SB SH SW SD

constexpr std::uint32_t bits(std::uint32_t value, unsigned high, unsigned low) {
    return (value >> low) & ((1U << (high - low + 1)) - 1);
}

constexpr MmioAccess load(unsigned width, bool sign_extend, std::uint32_t rd, unsigned length) {
    return MmioAccess{false, static_cast<std::uint8_t>(width), sign_extend,
                      static_cast<std::uint8_t>(rd), static_cast<std::uint8_t>(length)};
}

constexpr MmioAccess store(unsigned width, std::uint32_t rs2, unsigned length) {
    return MmioAccess{true, static_cast<std::uint8_t>(width), false,
                      static_cast<std::uint8_t>(rs2), static_cast<std::uint8_t>(length)};
}

// A 32-bit instruction; `length` is what the caller reports (4, or 2 for a
// transformed instruction whose original was compressed).
constexpr std::optional<MmioAccess> decode_standard(std::uint32_t insn, unsigned length) {
    const std::uint32_t opcode = bits(insn, 6, 0);
    const std::uint32_t funct3 = bits(insn, 14, 12);
    const std::uint32_t rd = bits(insn, 11, 7);
    const std::uint32_t rs2 = bits(insn, 24, 20);
    if (opcode == kOpcodeLoad) {
        switch (funct3) {
            case 0b000: return load(1, true, rd, length);   // LB
            case 0b001: return load(2, true, rd, length);   // LH
            case 0b010: return load(4, true, rd, length);   // LW
            case 0b011: return load(8, false, rd, length);  // LD
            case 0b100: return load(1, false, rd, length);  // LBU
            case 0b101: return load(2, false, rd, length);  // LHU
            case 0b110: return load(4, false, rd, length);  // LWU
            default: return std::nullopt;
        }
    }
    if (opcode == kOpcodeStore) {
        switch (funct3) {
            case 0b000: return store(1, rs2, length);  // SB
            case 0b001: return store(2, rs2, length);  // SH
            case 0b010: return store(4, rs2, length);  // SW
            case 0b011: return store(8, rs2, length);  // SD
            default: return std::nullopt;
        }
    }
    return std::nullopt;
}

// The 3-bit register fields of compressed instructions name x8..x15.
constexpr std::uint32_t compressed_register(std::uint32_t field) { return 8 + field; }

// A 16-bit instruction (quadrants 0 and 2 hold the loads and stores).
constexpr std::optional<MmioAccess> decode_compressed(std::uint32_t insn) {
    const std::uint32_t quadrant = bits(insn, 1, 0);
    const std::uint32_t funct3 = bits(insn, 15, 13);
    if (quadrant == 0b00) {
        const std::uint32_t reg = compressed_register(bits(insn, 4, 2));  // rd' or rs2'
        switch (funct3) {
            case 0b010: return load(4, true, reg, 2);   // C.LW
            case 0b011: return load(8, false, reg, 2);  // C.LD
            case 0b110: return store(4, reg, 2);        // C.SW
            case 0b111: return store(8, reg, 2);        // C.SD
            default: return std::nullopt;  // C.ADDI4SPN, C.FLD, C.FSD, reserved
        }
    }
    if (quadrant == 0b10) {
        const std::uint32_t rd = bits(insn, 11, 7);
        const std::uint32_t rs2 = bits(insn, 6, 2);
        switch (funct3) {
            case 0b010:  // C.LWSP; rd = x0 is reserved
                return rd == 0 ? std::nullopt : std::optional<MmioAccess>(load(4, true, rd, 2));
            case 0b011:  // C.LDSP; rd = x0 is reserved
                return rd == 0 ? std::nullopt : std::optional<MmioAccess>(load(8, false, rd, 2));
            case 0b110: return store(4, rs2, 2);  // C.SWSP
            case 0b111: return store(8, rs2, 2);  // C.SDSP
            default: return std::nullopt;         // C.FLDSP, C.FSDSP, ALU, jumps
        }
    }
    return std::nullopt;  // quadrant 1: no loads or stores
}

}  // namespace mmio_detail

// From htinst. nullopt for 0 (the caller must fetch the instruction itself),
// for the pseudoinstructions 0x2000/0x3000/0x2020/0x3020 (bit 0 clear) and for
// any transformed instruction that is not an integer load or store.
constexpr std::optional<MmioAccess> decode_transformed(std::uint64_t htinst) {
    if ((htinst & 1) == 0 || (htinst >> 32) != 0) return std::nullopt;
    const bool was_compressed = (htinst & 2) == 0;
    const std::uint32_t expanded = static_cast<std::uint32_t>(htinst) | 2;
    return mmio_detail::decode_standard(expanded, was_compressed ? 2 : 4);
}

// From the instruction as fetched from guest memory.
constexpr std::optional<MmioAccess> decode_instruction(std::uint32_t insn) {
    if ((insn & 3) == 3) return mmio_detail::decode_standard(insn, 4);
    return mmio_detail::decode_compressed(insn & 0xffff);
}

// Whether an instruction that accesses memory writes it (stores, AMOs and
// SC, FP and integer, compressed or not: true) or only reads it (loads and
// LR: false), i.e. which access fault it gets where nothing is; nullopt for
// an instruction that accesses no data memory. `insn` as for
// decode_instruction().
constexpr std::optional<bool> writes_memory(std::uint32_t insn) {
    using mmio_detail::bits;
    if ((insn & 3) == 3) {
        switch (bits(insn, 6, 0)) {
            case 0x03:  // LOAD
            case 0x07:  // LOAD-FP
                return false;
            case 0x23:  // STORE
            case 0x27:  // STORE-FP
                return true;
            case 0x2f:                               // AMO
                return bits(insn, 31, 27) != 0b00010;  // all but LR write
            default: return std::nullopt;
        }
    }
    const std::uint32_t quadrant = bits(insn, 1, 0);
    const std::uint32_t funct3 = bits(insn, 15, 13);
    if (quadrant == 0b01 || funct3 == 0b000 || funct3 == 0b100) return std::nullopt;
    // Quadrants 0 and 2: funct3 001-011 load (C.FLD, C.LW, C.LD and their
    // sp-relative forms), 101-111 store.
    return funct3 >= 0b101;
}

// The register value of a load: `raw` (the device's bytes in its low bits)
// cut to the access width, then sign- or zero-extended to 64 bits.
constexpr std::uint64_t extend_loaded(const MmioAccess& access, std::uint64_t raw) {
    if (access.width >= 8) return raw;
    const std::uint64_t mask = (std::uint64_t{1} << (access.width * 8U)) - 1;
    const std::uint64_t sign_bit = (mask >> 1) + 1;
    const std::uint64_t value = raw & mask;
    if (access.sign_extend && (value & sign_bit) != 0) return value | ~mask;
    return value;
}

// The bytes a store writes: the low `width` bytes of the source register.
constexpr std::uint64_t stored_value(const MmioAccess& access, std::uint64_t reg_value) {
    if (access.width >= 8) return reg_value;
    return reg_value & ((std::uint64_t{1} << (access.width * 8U)) - 1);
}

}  // namespace tessera::arch
