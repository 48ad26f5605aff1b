// Reading the instruction a guest trapped on, from HS-mode (guest_fetch.S).
#pragma once

#include <cstdint>

extern "C" {
// The instruction at guest-virtual `pc`, read as the guest fetched it; false
// when the read faulted: sepc, scause, stval, htval, sstatus.SPP/SPIE and
// hstatus.SPV are then overwritten (restore_trap_after_fetch_fault() puts
// back what the guest needs to retry).
bool tessera_read_guest_instruction(std::uint64_t pc, std::uint32_t* bits);
}
