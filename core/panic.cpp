// Fatal errors of the hypervisor itself. A guest can never cause these: they
// mean a hypervisor bug, so the machine stops with a failure status.
#include "arch/riscv/csr.hpp"
#include "lib/text.hpp"
#include "platform_api.hpp"

extern "C" [[noreturn]] void tessera_hs_trap(std::uint64_t scause, std::uint64_t sepc,
                                             std::uint64_t stval) {
    using namespace tessera;
    Line line;
    line << "[tessera] PANIC: trap in HS-mode scause=" << hex(scause) << " sepc=" << hex(sepc)
         << " stval=" << hex(stval) << "\n";
    platform::console_write(line.view());
    platform::power_off(false, 2);
}
