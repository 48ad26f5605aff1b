// What a small bare-metal guest needs from the DTB it was handed: its RAM,
// harts, timebase, whether it has Sstc, its first 16550 and its bootargs.
#pragma once

#include <cstdint>
#include <string_view>

#include "bootargs.hpp"  // split, starts_with
#include "fdt.hpp"

namespace guest {

struct GuestDt {
    bool valid = false;
    std::uint64_t ram_base = 0, ram_size = 0;  // the first memory node's first range
    std::uint32_t harts = 0;
    std::uint64_t timebase = 0;  // Hz, /cpus/timebase-frequency (0: absent)
    bool sstc = false;           // cpu@0's riscv,isa lists Sstc
    std::uint64_t uart_base = 0;  // the first ns16550(a) node's reg (0: none)
    std::string_view bootargs;    // /chosen/bootargs without its NUL
};

namespace dt_detail {

// (address, size) of the first reg range: 2 address and 2 size cells, or 1 and 1.
inline void first_range(const std::uint8_t* value, std::uint32_t length, std::uint64_t& address,
                        std::uint64_t& size) {
    if (length >= 16) {
        address = Fdt::read64(value);
        size = Fdt::read64(value + 8);
    } else if (length >= 8) {
        address = Fdt::read32(value);
        size = Fdt::read32(value + 4);
    }
}

// A string property's value without its terminating NUL.
inline std::string_view text(const std::uint8_t* value, std::uint32_t length) {
    const char* chars = reinterpret_cast<const char*>(value);
    std::uint32_t size = 0;
    while (size < length && chars[size] != 0) ++size;
    return {chars, size};
}

// Whether a compatible string list names `name`.
inline bool compatible_with(const std::uint8_t* value, std::uint32_t length, std::string_view name) {
    std::uint32_t offset = 0;
    while (offset < length) {
        const std::string_view entry = text(value + offset, length - offset);
        if (entry == name) return true;
        offset += static_cast<std::uint32_t>(entry.size()) + 1;
    }
    return false;
}

}  // namespace dt_detail

// Whether an ISA string ("rv64imafdc_zicsr_sstc") lists `extension` after the base.
inline bool isa_has_extension(std::string_view isa, std::string_view extension) {
    std::string_view name, rest;
    split(isa, '_', name, rest);  // skip the base ("rv64imafdc")
    while (!rest.empty()) {
        split(rest, '_', name, rest);
        if (name == extension) return true;
    }
    return false;
}

inline GuestDt read_guest_dt(const void* dtb) {
    using namespace dt_detail;
    using guest::starts_with;
    GuestDt dt;
    const Fdt fdt(dtb);
    if (!fdt.valid()) return dt;
    // A serial node's reg and compatible may come in either order.
    std::string_view serial_node;
    std::uint64_t serial_reg = 0;
    bool serial_is_16550 = false;
    fdt.for_each_property([&](int depth, std::string_view node, std::string_view property,
                              const std::uint8_t* value, std::uint32_t length) {
        std::uint64_t size = 0;
        if (depth == 1 && starts_with(node, "memory@") && property == "reg" && dt.ram_size == 0) {
            first_range(value, length, dt.ram_base, dt.ram_size);
        } else if (depth == 1 && node == "cpus" && property == "timebase-frequency" &&
                   length == 4) {
            dt.timebase = Fdt::read32(value);
        } else if (depth == 2 && starts_with(node, "cpu@") && property == "device_type" &&
                   text(value, length) == "cpu") {
            ++dt.harts;
        } else if (depth == 2 && node == "cpu@0" && property == "riscv,isa") {
            dt.sstc = isa_has_extension(text(value, length), "sstc");
        } else if (depth == 1 && node == "chosen" && property == "bootargs") {
            dt.bootargs = text(value, length);
        } else if (dt.uart_base == 0 &&
                   (starts_with(node, "serial@") || starts_with(node, "uart@"))) {
            if (node != serial_node) {
                serial_node = node;
                serial_reg = 0;
                serial_is_16550 = false;
            }
            if (property == "reg") first_range(value, length, serial_reg, size);
            if (property == "compatible")
                serial_is_16550 = compatible_with(value, length, "ns16550a") ||
                                  compatible_with(value, length, "ns16550");
            if (serial_is_16550 && serial_reg != 0) dt.uart_base = serial_reg;
        }
    });
    dt.valid = dt.ram_size != 0 && dt.harts != 0;
    return dt;
}

}  // namespace guest
