// Where the fuzzer puts things in its RAM, and the code arena the
// instruction words run in.
//
// The arena is 2 MiB, 2 MiB-aligned (one Sv39 megapage, user-accessible in
// VU-mode runs), above the image and its stack. It is filled with c.ebreak
// parcels: a branch or jump of any word lands on one (JAL reaches +-1 MiB,
// the word sits in the middle), so control transfers need no filter. Every
// register that points into the arena points within 2 KiB of the middle;
// with a 12-bit offset a load or store lands within 4 KiB of it, and that
// window is filled again before each word.
#pragma once

#include <cstdint>

#include "guest_dt.hpp"
#include "words.hpp"

namespace trapfuzz {

inline constexpr std::uint64_t kArenaSize = 2ULL << 20;
inline constexpr std::uint64_t kWindow = 4096;  // each side of the middle
inline constexpr std::uint16_t kCEbreak = 0x9002;
// VU-mode sees the first GiB (the devices) twice: one to one and from this
// virtual address, so that an access's virtual and guest-physical addresses
// differ (the hypervisor must find the device by the latter and report the
// former).
inline constexpr std::uint64_t kDeviceAlias = 0x1'0000'0000;

struct Layout {
    std::uint64_t ram_base = 0, ram_end = 0;
    std::uint64_t image_start = 0, image_end = 0;  // text to the end of the stack
    std::uint64_t arena = 0, middle = 0;
    std::uint64_t marker = 0;  // one page after the arena: survives SRST reboot
    std::uint64_t plic = 0, plic_size = 0;  // the emulated PLIC's window
    std::uint64_t uart = 0, uart_size = 0;  // the emulated 16550's
    std::uint64_t timebase = 0;
    bool sstc = false;
};

// Places the arena and the marker above the image; false (with `why`) if
// the RAM is too small or the DT lacks what the fuzzer needs.
bool plan_layout(const guest::GuestDt& dt, const void* dtb, Layout& layout, const char*& why);

// Fills the whole arena with c.ebreak parcels.
void fill_arena(const Layout& layout);

// Fills the window around the middle again, puts `word` at the middle and
// behind it the way back: in VS-mode a jump to trapfuzz_word_done (auipc +
// jalr through t0), in VU-mode an ecall. Then fence.i. Returns the address
// of the way back.
enum class Mode : std::uint8_t { VS, VU };
std::uint64_t place_word(const Layout& layout, Word word, Mode mode);

}  // namespace trapfuzz
