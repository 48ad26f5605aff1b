// The hypervisor console's input side at run time: the receive interrupt of
// the physical console, and the partition it hands typed bytes to (see
// console/console_input.hpp for the Ctrl-T commands that move the focus).
#pragma once

#include <cstdint>

#include "vcpu/vcpu_context.hpp"

namespace tessera {

// Boot: tells the user how input is switched, and, when the console has an
// interrupt (kConsole.irq), has it raised on input on every hart that runs
// a partition (any of them takes it). Without one, input is only polled by
// the focused partition's virtual UART.
void console_input_attach();

// Boot, instead of console_input_attach() when the scenario names a console
// owner (tessera,console-owner): says so on the console, then silences the
// hypervisor's console for good (its output and the other partitions' is
// dropped, its input never reads the UART again). Runs before any partition
// starts, so the hypervisor never drives the UART while the owner does; the
// UART's interrupt is the owner's passthrough interrupt.
void console_hand_over();

// The console's interrupt, claimed on this hart's PLIC context: the bytes
// waiting go to the focused partition's first virtual UART.
void console_input_interrupt(VcpuContext& self);

// ConsoleInput's announcement of a focus change (or of the help list).
void console_input_announce(std::uint32_t focus, bool help);

}  // namespace tessera
