// What the portable core needs from the board. core/scenario/platform_binding.cpp
// implements it for the scenario's platform, choosing drivers at compile time
// from the generated tables.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::platform {

void console_init();
void console_write(std::string_view text);
int console_read_byte();  // -1 when nothing is waiting
// From now on the console raises its interrupt (kConsole.irq) on input.
void console_enable_receive_interrupt();
// Programs this hart's supervisor timer (stimecmp with Sstc, else through the
// SBI firmware); its interrupt is STIP.
void arm_host_timer(std::uint64_t stime_value);
// Ends the whole machine: success, or failure with a non-zero code.
[[noreturn]] void power_off(bool success, std::uint32_t code);

}  // namespace tessera::platform
