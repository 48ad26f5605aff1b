#include "devices.hpp"

#include <string_view>

#include "guest_dt.hpp"

namespace hostile {

namespace {

// What one device node says; its properties come in any order.
struct Node {
    std::string_view name;
    bool plic = false, rtc = false;
    std::uint64_t reg = 0, size = 0;
    std::uint32_t irq = 0, ndev = 0;
};

}  // namespace

OwnDevices read_own_devices(const void* dtb) {
    using namespace guest::dt_detail;
    OwnDevices found;
    Node node;
    auto finish = [&] {
        if (node.plic && found.plic == 0) {
            found.plic = node.reg;
            found.plic_size = node.size;
            found.plic_sources = node.ndev;
        }
        if (node.rtc && found.rtc == 0) {
            found.rtc = node.reg;
            found.rtc_irq = node.irq;
        }
    };
    const guest::Fdt fdt(dtb);
    if (!fdt.valid()) return found;
    fdt.for_each_property([&](int, std::string_view name, std::string_view property,
                              const std::uint8_t* value, std::uint32_t length) {
        if (name != node.name) {
            finish();
            node = Node{};
            node.name = name;
        }
        if (property == "compatible") {
            node.plic = compatible_with(value, length, "riscv,plic0");
            node.rtc = compatible_with(value, length, "google,goldfish-rtc");
        } else if (property == "reg") {
            first_range(value, length, node.reg, node.size);
        } else if (property == "interrupts" && length >= 4) {
            node.irq = guest::Fdt::read32(value);
        } else if (property == "riscv,ndev" && length == 4) {
            node.ndev = guest::Fdt::read32(value);
        }
    });
    finish();
    return found;
}

}  // namespace hostile
