// The check groups of the conformance guest, in the order main.cpp runs them.
#pragma once

#include <cstdint>

namespace conformance {

// checks_sbi.cpp
void check_sbi_base();
void check_time();
void check_ipi();
void check_rfence();
void check_hsm();
void check_nonretentive_suspend();
void check_srst_arguments();
void check_dbcn();

// checks_cpu.cpp
void check_counters();
void check_wfi();
void check_csr_protection();
void check_fp();
void check_paging();

// checks_devices.cpp
void check_plic_mmio();
void check_uart();
void check_access_faults();
void check_passthrough_rtc();

// trap.S: where hart_start sends a secondary hart (checks_sbi.cpp runs it).
extern "C" void conformance_secondary_entry();

// Before the SRST reboot: hart 1 (if any) runs and spins until the reboot
// parks it.
inline constexpr std::uint64_t kRebootSpinOpaque = 0x5ec0'0d00'0000'00ff;
void start_secondary_spinning();

}  // namespace conformance
