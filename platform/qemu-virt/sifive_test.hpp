// SiFive test finisher (QEMU virt's "test" device): writing to it ends the
// simulation with a pass, or a fail with a 16-bit exit code.
#pragma once

#include <cstdint>

namespace tessera::drivers {

class SifiveTest {
public:
    constexpr explicit SifiveTest(std::uint64_t base) : base_(base) {}

    void pass() const { write(kPass); }
    void fail(std::uint32_t code) const { write(kFail | ((code & 0xffff) << 16)); }

private:
    static constexpr std::uint32_t kPass = 0x5555, kFail = 0x3333;
    void write(std::uint32_t value) const {
        // NOLINTNEXTLINE(performance-no-int-to-ptr): MMIO at the host DT's finisher address
        *reinterpret_cast<volatile std::uint32_t*>(base_) = value;
    }
    std::uint64_t base_;
};

}  // namespace tessera::drivers
