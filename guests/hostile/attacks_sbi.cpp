// SBI calls with bad arguments (SBI v2.0): extensions and functions that
// don't exist, the legacy extensions Tessera doesn't implement, hart masks
// naming harts of other partitions or wrapping around, SRST types and
// reasons that are reserved, DBCN buffers outside the partition's RAM or
// wrapping around the address space, and a DBCN write far longer than any
// console line.
#include "attacks.hpp"
#include "attempt.hpp"
#include "console.hpp"
#include "harts.hpp"

namespace hostile {
namespace {

using tessera::hex;
using tessera::Line;
namespace sbi = guest::sbi;

constexpr std::uint64_t kSusp = 0x53555350, kPmu = 0x504D55, kCppc = 0x43505043,
                        kNacl = 0x4E41434C, kSta = 0x535441, kSse = 0x535345,
                        kFwft = 0x46574654;

void unknown_extension(std::uint64_t eid, std::string_view what) {
    Line title;
    title << "EID " << hex(eid) << " (" << what << ")";
    Attempt attempt(title.view(), "NOT_SUPPORTED, probe says 0");
    attempt.expect_sbi(sbi::call(eid, 0, 0, 0, 0), sbi::kNotSupported);
    attempt.expect_sbi(sbi::call(sbi::kBase, 3, eid), sbi::kSuccess, 0);
}

void unknown_function(std::uint64_t eid, std::uint64_t fid, std::string_view what) {
    Line title;
    title << what << " FID " << tessera::dec(fid);
    Attempt attempt(title.view(), "NOT_SUPPORTED");
    attempt.expect_sbi(sbi::call(eid, fid, 0, 0, 0), sbi::kNotSupported);
}

// A legacy call (EID 0x00-0x0F) with a0 = `a0`, a1 = a marker: the legacy
// convention returns in a0 only and preserves every other register.
void legacy(std::uint64_t eid, std::uint64_t a0, std::string_view what) {
    constexpr std::uint64_t kMarker = 0x1e9ac7a1'a1a1a1a1;
    Line title;
    title << "legacy EID " << hex(eid) << " (" << what << ")";
    Attempt attempt(title.view(), "NOT_SUPPORTED in a0, a1 kept");
    const sbi::Ret ret = sbi::call(eid, 0, a0, kMarker, 0);
    attempt.expect_eq("a0", static_cast<std::uint64_t>(ret.error),
                      static_cast<std::uint64_t>(sbi::kNotSupported));
    attempt.expect_eq("a1", ret.value, kMarker);
}

void extensions_and_functions(const Targets& t) {
    unknown_extension(0x12345678, "nonsense");
    unknown_extension(kSusp, "system suspend");
    unknown_extension(kPmu, "PMU");
    unknown_extension(kCppc, "CPPC");
    unknown_extension(kNacl, "nested acceleration");
    unknown_extension(kSta, "steal time");
    unknown_extension(kSse, "SSE");
    unknown_extension(kFwft, "FWFT");
    unknown_extension(0x09000000, "vendor space");
    unknown_extension(0x0AFFFFFF, "firmware space");
    unknown_function(sbi::kBase, 7, "BASE");
    unknown_function(sbi::kTime, 1, "TIME");
    unknown_function(sbi::kIpi, 1, "IPI");
    unknown_function(sbi::kRfence, 7, "RFENCE");
    unknown_function(sbi::kHsm, 4, "HSM");
    unknown_function(sbi::kSrst, 1, "SRST");
    unknown_function(sbi::kDbcn, 3, "DBCN");
    unknown_function(sbi::kTessera, 1, "Tessera's own");
    {
        Attempt attempt("watchdog kick without a watchdog", "NOT_SUPPORTED");
        attempt.expect_sbi(sbi::call(sbi::kTessera, sbi::kWatchdogKick), sbi::kNotSupported);
    }
    for (std::uint64_t fid = 3; fid <= 6; ++fid) {
        Line title;
        title << "RFENCE hfence FID " << tessera::dec(fid) << " (no H for guests)";
        Attempt attempt(title.view(), "NOT_SUPPORTED");
        attempt.expect_sbi(sbi::call(sbi::kRfence, fid, 3, 0, 0, ~0ULL, 0), sbi::kNotSupported);
    }
    legacy(0x00, 0, "set_timer");
    legacy(0x03, 0, "clear_ipi");
    legacy(0x04, t.hypervisor.base, "send_ipi, mask in the hypervisor");
    legacy(0x05, t.hypervisor.base, "remote_fence_i");
    legacy(0x06, t.other_ram.base, "remote_sfence_vma");
    legacy(0x07, t.other_ram.base, "remote_sfence_vma_asid");
    legacy(0x08, 0, "shutdown");
    legacy(0x09, 0, "reserved");
    legacy(0x0F, 0, "reserved");
}

void hart_masks() {
    struct Mask {
        std::uint64_t mask, base;
        std::string_view what;
    };
    // The partition has virtual harts 0 and 1.
    const Mask masks[] = {
        {0x1, 2, "vhart 2 (another partition's hart)"},
        {0x4, 0, "bit 2 (another partition's hart)"},
        {0x8000000000000000, 1, "vhart 64"},
        {0x4, ~0ULL - 1, "base -2, bit 2: wraps to 0"},
        {0x1, 1ULL << 32, "vhart 2^32"},
        {0x3, 3, "vharts 3 and 4"},
    };
    for (const Mask& mask : masks) {
        Line ipi;
        ipi << "send_ipi " << mask.what;
        Attempt attempt(ipi.view(), "INVALID_PARAM");
        attempt.expect_sbi(sbi::call(sbi::kIpi, 0, mask.mask, mask.base), sbi::kInvalidParam);
    }
    for (const Mask& mask : masks) {
        Line fence;
        fence << "remote_sfence_vma " << mask.what;
        Attempt attempt(fence.view(), "INVALID_PARAM");
        attempt.expect_sbi(sbi::call(sbi::kRfence, 1, mask.mask, mask.base, 0, ~0ULL),
                           sbi::kInvalidParam);
    }
}

void system_reset() {
    struct Reset {
        std::uint64_t type, reason;
        std::int64_t error;
        std::string_view what;
    };
    const Reset resets[] = {
        {3, 0, sbi::kInvalidParam, "type 3 (reserved)"},
        {0xEFFFFFFF, 0, sbi::kInvalidParam, "type 0xefffffff (reserved)"},
        {0xF0000000, 0, sbi::kNotSupported, "type 0xf0000000 (vendor)"},
        {0, 2, sbi::kInvalidParam, "shutdown, reason 2 (reserved)"},
        {1, 0xDFFFFFFF, sbi::kInvalidParam, "cold reboot, reason 0xdfffffff"},
        {2, 0x12345, sbi::kInvalidParam, "warm reboot, reason 0x12345"},
    };
    for (const Reset& reset : resets) {
        Line title;
        title << "SRST " << reset.what;
        Attempt attempt(title.view(), guest::sbi::error_name(reset.error));
        attempt.expect_sbi(sbi::call(sbi::kSrst, 0, reset.type, reset.reason), reset.error);
    }
}

void debug_console(const Targets& t) {
    struct Buffer {
        std::uint64_t fid, length, low, high;
        std::string_view what;
    };
    const std::uint64_t ram_end = t.own_ram.end();
    const Buffer buffers[] = {
        {0, 16, t.other_ram.base, 0, "write from the other partition's RAM"},
        {0, 16, t.hypervisor.base, 0, "write from the hypervisor"},
        {0, 16, t.firmware.base, 0, "write from the SBI firmware"},
        {1, 16, t.hypervisor.base + 0x1000, 0, "read into the hypervisor"},
        {1, 16, t.other_code, 0, "read into the other partition's code"},
        {0, 16, t.own_ram.base, 1, "write, base_addr_hi 1"},
        {0, 16, ram_end - 8, 0, "write across its RAM's end"},
        {1, 16, t.own_ram.base - 8, 0, "read across its RAM's start"},
        {0, ~0ULL, t.own_ram.base, 0, "write of 2^64-1 bytes: wraps"},
        {0, 0x20, ~0ULL - 0xf, 0, "write at 2^64-16, 32 bytes: wraps"},
        {1, t.own_ram.size + 1, t.own_ram.base, 0, "read of its RAM size + 1"},
    };
    for (const Buffer& buffer : buffers) {
        Line title;
        title << "DBCN " << buffer.what;
        Attempt attempt(title.view(), "INVALID_PARAM");
        attempt.expect_sbi(sbi::call(sbi::kDbcn, buffer.fid, buffer.length, buffer.low, buffer.high),
                           sbi::kInvalidParam);
    }
    {
        // The SBI spec makes DBCN write non-blocking, with partial writes:
        // megabytes can't hold the console (shared with the other partition)
        // for seconds. What does go out is lines of this text.
        static constexpr std::string_view kFiller = "hostile: filler of the huge DBCN write\n";
        char* buffer = reinterpret_cast<char*>(t.big_buffer.base);
        for (std::uint64_t i = 0; i < 4096; ++i) buffer[i] = kFiller[i % kFiller.size()];
        Attempt attempt("DBCN write of 8 MiB from its own RAM", "SUCCESS, partial write");
        const sbi::Ret ret = sbi::call(sbi::kDbcn, 0, t.big_buffer.size, t.big_buffer.base, 0);
        if (attempt.expect_sbi(ret, sbi::kSuccess, ret.value))
            attempt.expect(ret.value > 0 && ret.value <= 4096,
                           "it did not write between 1 and 4096 bytes");
        if (ret.value % kFiller.size() != 0) guest::Out() << "\n";  // ends a partial line
    }
    {
        Attempt attempt("DBCN read of 8 MiB into its own RAM", "SUCCESS, what is waiting");
        const sbi::Ret ret = sbi::call(sbi::kDbcn, 1, t.big_buffer.size, t.big_buffer.base, 0);
        if (attempt.expect_sbi(ret, sbi::kSuccess, ret.value))
            attempt.expect(ret.value < 4096, "more bytes than anyone typed");
    }
}

}  // namespace

void attack_sbi(const Targets& t) {
    extensions_and_functions(t);
    hart_masks();
    system_reset();
    debug_console(t);
}

}  // namespace hostile
