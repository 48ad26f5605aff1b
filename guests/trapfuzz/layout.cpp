#include "layout.hpp"

#include "fdt.hpp"

extern "C" {
extern char _start[];       // common/start.S: the image's first byte
extern char __stack_top[];  // common/guest.ld: the end of the image's stack
void trapfuzz_word_done();  // trap.S
}

namespace trapfuzz {
namespace {

constexpr std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
    return (value + alignment - 1) & ~(alignment - 1);
}

// The reg (2 address and 2 size cells) of the first node whose name starts
// with one of `prefixes`, (0, 0) if none.
template <unsigned N>
void find_window(const void* dtb, const char* const (&prefixes)[N], std::uint64_t& base,
                 std::uint64_t& size) {
    base = size = 0;
    guest::Fdt(dtb).for_each_property([&](int, std::string_view node, std::string_view property,
                                          const std::uint8_t* value, std::uint32_t length) {
        bool named = false;
        for (const char* prefix : prefixes) named = named || guest::starts_with(node, prefix);
        if (base == 0 && named && property == "reg" && length >= 16) {
            base = guest::Fdt::read64(value);
            size = guest::Fdt::read64(value + 8);
        }
    });
}

void store16(std::uint64_t address, std::uint16_t value) {
    *reinterpret_cast<volatile std::uint16_t*>(address) = value;
}

// A 32-bit instruction at a 2-byte aligned address.
void store_instruction(std::uint64_t address, std::uint32_t bits) {
    store16(address, static_cast<std::uint16_t>(bits));
    store16(address + 2, static_cast<std::uint16_t>(bits >> 16));
}

void fill(std::uint64_t start, std::uint64_t end) {
    constexpr std::uint64_t kPattern = 0x0001000100010001ULL * kCEbreak;
    for (std::uint64_t address = start; address < end; address += 8)
        *reinterpret_cast<volatile std::uint64_t*>(address) = kPattern;
}

}  // namespace

bool plan_layout(const guest::GuestDt& dt, const void* dtb, Layout& layout, const char*& why) {
    layout.ram_base = dt.ram_base;
    layout.ram_end = dt.ram_base + dt.ram_size;
    layout.image_start = reinterpret_cast<std::uintptr_t>(_start);
    layout.image_end = reinterpret_cast<std::uintptr_t>(__stack_top);
    layout.arena = align_up(layout.image_end, kArenaSize);
    layout.middle = layout.arena + kArenaSize / 2;
    layout.marker = layout.arena + kArenaSize;
    const char* const plic_names[] = {"plic@", "interrupt-controller@"};
    const char* const uart_names[] = {"serial@", "uart@"};
    find_window(dtb, plic_names, layout.plic, layout.plic_size);
    find_window(dtb, uart_names, layout.uart, layout.uart_size);
    layout.timebase = dt.timebase;
    layout.sstc = dt.sstc;
    const std::uint64_t dtb_page = reinterpret_cast<std::uintptr_t>(dtb) & ~0xfffULL;
    const std::uint64_t top = dtb_page > layout.ram_base && dtb_page < layout.ram_end
                                  ? dtb_page : layout.ram_end;
    if (!dt.valid) {
        why = "the DTB has no usable memory or cpu node";
    } else if (layout.marker + 0x1000 > top) {
        why = "RAM too small for the 2 MiB arena above the image";
    } else if (dt.timebase == 0) {
        why = "no timebase-frequency";
    } else if (layout.plic == 0 || layout.uart == 0) {
        why = "no emulated PLIC or 16550 to aim loads and stores at";
    } else {
        return true;
    }
    return false;
}

void fill_arena(const Layout& layout) {
    fill(layout.arena, layout.arena + kArenaSize);
    asm volatile("fence.i" ::: "memory");
}

std::uint64_t place_word(const Layout& layout, Word word, Mode mode) {
    fill(layout.middle - kWindow, layout.middle + kWindow);
    if (word.length == 4) {
        store_instruction(layout.middle, word.bits);
    } else {
        store16(layout.middle, static_cast<std::uint16_t>(word.bits));
    }
    const std::uint64_t back = layout.middle + word.length;
    if (mode == Mode::VU) {
        store_instruction(back, 0x00000073);  // ecall
    } else {
        // auipc t0, hi; jalr zero, lo(t0)
        const std::uint64_t target = reinterpret_cast<std::uintptr_t>(&trapfuzz_word_done);
        const std::int64_t offset = static_cast<std::int64_t>(target - back);
        const std::int64_t hi = (offset + 0x800) >> 12;
        const std::int64_t lo = offset - (hi << 12);
        store_instruction(back, (static_cast<std::uint32_t>(hi) & 0xfffff) << 12 | 5U << 7 | 0x17);
        store_instruction(back + 4, (static_cast<std::uint32_t>(lo) & 0xfff) << 20 | 5U << 15 | 0x67);
    }
    asm volatile("fence.i" ::: "memory");
    return back;
}

}  // namespace trapfuzz
