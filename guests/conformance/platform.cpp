#include "platform.hpp"

#include "fdt.hpp"

namespace conformance {

Platform g_platform;

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (text[i] != prefix[i]) return false;
    return true;
}

// (address, size) of the first reg range, for 2 address and 2 size cells
// (QEMU virt and Tessera guest DTs) or 1 and 1.
void first_range(const std::uint8_t* value, std::uint32_t length, std::uint64_t& address,
                 std::uint64_t& size) {
    if (length >= 16) {
        address = guest::Fdt::read64(value);
        size = guest::Fdt::read64(value + 8);
    } else if (length >= 8) {
        address = guest::Fdt::read32(value);
        size = guest::Fdt::read32(value + 4);
    }
}

// Whether an ISA string ("rv64imafdc_zicsr_sstc") names the Sstc extension.
bool isa_has_sstc(std::string_view isa) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= isa.size(); ++i) {
        if (i < isa.size() && isa[i] != '_') continue;
        if (start > 0 && i - start == 4 && starts_with(isa.data() + start, "sstc")) return true;
        start = i + 1;
    }
    return false;
}

}  // namespace

bool read_platform(std::uint64_t hart_id, const void* dtb) {
    Platform& p = g_platform;
    p.hart_id = hart_id;
    const guest::Fdt fdt(dtb);
    if (!fdt.valid()) return false;
    p.dtb = static_cast<const std::uint8_t*>(dtb);
    p.dtb_size = fdt.total_size();
    fdt.for_each_property([&](int depth, std::string_view node, std::string_view property,
                              const std::uint8_t* value, std::uint32_t length) {
        const std::string_view text(reinterpret_cast<const char*>(value),
                                    length > 0 ? length - 1 : 0);
        std::uint64_t size = 0;
        if (depth == 0 && property == "model") {
            p.model = reinterpret_cast<const char*>(value);
            p.model_length = length;
        } else if (depth == 1 && starts_with(node, "memory@") && property == "reg") {
            first_range(value, length, p.ram_base, p.ram_size);
        } else if (depth == 1 && node == "cpus" && property == "timebase-frequency" &&
                   length == 4) {
            p.timebase = guest::Fdt::read32(value);
        } else if (depth == 2 && starts_with(node, "cpu@") && property == "device_type" &&
                   text == "cpu") {
            ++p.harts;
        } else if (depth == 2 && node == "cpu@0" && property == "riscv,isa") {
            p.sstc = isa_has_sstc(text);
        } else if (starts_with(node, "plic@") || starts_with(node, "interrupt-controller@")) {
            if (property == "reg") first_range(value, length, p.plic_base, p.plic_size);
            if (property == "riscv,ndev" && length == 4) p.plic_sources = guest::Fdt::read32(value);
        } else if (starts_with(node, "serial@") || starts_with(node, "uart@")) {
            if (property == "reg") first_range(value, length, p.uart_base, size);
            if (property == "interrupts" && length == 4) p.uart_irq = guest::Fdt::read32(value);
        } else if (starts_with(node, "rtc@")) {
            if (property == "reg") first_range(value, length, p.rtc_base, size);
            if (property == "interrupts" && length == 4) p.rtc_irq = guest::Fdt::read32(value);
        }
    });
    return p.ram_size != 0 && p.harts != 0;
}

}  // namespace conformance
