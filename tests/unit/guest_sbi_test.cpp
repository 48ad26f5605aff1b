#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <string>

#include "partition/guest_memory.hpp"
#include "sbi/guest_sbi.hpp"

namespace sbi = tessera::sbi;

namespace {

// A partition with 4 KiB of RAM at guest-physical 0x80000000.
struct FakeEnv {
    std::array<std::uint8_t, 4096> ram{};
    std::string console;
    std::string_view input;  // bytes waiting on the console

    void console_write(std::span<const std::uint8_t> bytes) {
        console.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    int console_read_byte() {
        if (input.empty()) return -1;
        const int byte = static_cast<unsigned char>(input.front());
        input.remove_prefix(1);
        return byte;
    }
    std::uint8_t* guest_ram(std::uint64_t gpa, std::uint64_t length) {
        const tessera::cfg::MemRegion regions[] = {
            {0x80000000, reinterpret_cast<std::uintptr_t>(ram.data()), ram.size(),
             tessera::cfg::MemKind::Ram}};
        return reinterpret_cast<std::uint8_t*>(tessera::guest_ram_to_host(regions, gpa, length));
    }
    std::uint64_t firmware_base_value(std::uint64_t fid) { return 0x100 + fid; }

    // A partition of three virtual harts; the caller is vhart 0.
    std::uint32_t vhart_count() const { return 3; }
    std::uint32_t self() const { return 0; }
    std::uint64_t timer = 0;
    std::uint64_t ipis = 0;
    std::uint64_t fenced = 0;
    int fences = 0;
    std::uint32_t states[3] = {sbi::hsm_state::STARTED, sbi::hsm_state::STOPPED,
                               sbi::hsm_state::STARTED};
    std::uint64_t started_addr = 0, started_opaque = 0;
    int suspends = 0;
    void set_timer(std::uint64_t value) { timer = value; }
    void send_ipi(std::uint64_t vharts) { ipis |= vharts; }
    void remote_fence(sbi::Fence, std::uint64_t vharts) {
        fenced |= vharts;
        ++fences;
    }
    std::int64_t hart_start(std::uint32_t vhart, std::uint64_t addr, std::uint64_t opaque) {
        if (states[vhart] != sbi::hsm_state::STOPPED) return sbi::error::ALREADY_AVAILABLE;
        states[vhart] = sbi::hsm_state::START_PENDING;
        started_addr = addr;
        started_opaque = opaque;
        return 0;
    }
    std::uint32_t hart_status(std::uint32_t vhart) { return states[vhart]; }
    void set_own_hart_status(std::uint32_t state) { states[self()] = state; }
    std::uint32_t status_while_suspended = ~0U;
    void suspend_retentive() {
        ++suspends;
        status_while_suspended = states[self()];
    }
    bool has_watchdog = false;
    int kicks = 0;
    bool watchdog_kick() {
        if (has_watchdog) ++kicks;
        return has_watchdog;
    }
};

sbi::Outcome call(FakeEnv& env, std::uint64_t eid, std::uint64_t fid, std::uint64_t a0 = 0,
                  std::uint64_t a1 = 0, std::uint64_t a2 = 0) {
    return sbi::handle_sbi(sbi::Call{eid, fid, {a0, a1, a2, 0, 0, 0}}, env);
}

}  // namespace

TEST_CASE("BASE tells the truth about the implementation and its extensions") {
    FakeEnv env;
    CHECK(call(env, sbi::ext::BASE, 0).value == 0x02000000);
    CHECK(call(env, sbi::ext::BASE, 1).value == sbi::kImplId);
    CHECK(call(env, sbi::ext::BASE, 2).value == sbi::kImplVersion);
    for (std::uint64_t eid : {sbi::ext::BASE, sbi::ext::DBCN, sbi::ext::SRST, sbi::ext::TIME,
                              sbi::ext::IPI, sbi::ext::RFENCE, sbi::ext::HSM,
                              sbi::ext::TESSERA, std::uint64_t{1},
                              std::uint64_t{2}}) {
        CHECK(call(env, sbi::ext::BASE, 3, eid).value == 1);
    }
    // Not implemented, so not advertised: PMU, legacy timer/IPI/shutdown, nonsense.
    for (std::uint64_t eid : {std::uint64_t{0x504D55}, std::uint64_t{0x0}, std::uint64_t{0x04},
                              std::uint64_t{0x08}, ~std::uint64_t{0}}) {
        CHECK(call(env, sbi::ext::BASE, 3, eid).value == 0);
    }
    CHECK(call(env, sbi::ext::BASE, 4).value == 0x104);  // mvendorid from firmware
    CHECK(call(env, sbi::ext::BASE, 7).error == sbi::error::NOT_SUPPORTED);
}

TEST_CASE("unknown extensions and functions are NOT_SUPPORTED") {
    FakeEnv env;
    CHECK(call(env, 0x0A000000, 0).error == sbi::error::NOT_SUPPORTED);
    CHECK(call(env, sbi::ext::DBCN, 3).error == sbi::error::NOT_SUPPORTED);
    CHECK(call(env, sbi::ext::SRST, 1).error == sbi::error::NOT_SUPPORTED);
}

TEST_CASE("legacy extensions Tessera doesn't implement keep the legacy convention: a1 untouched") {
    FakeEnv env;
    for (std::uint64_t eid = 0; eid <= 0x0F; ++eid) {
        if (eid == sbi::ext::LEGACY_CONSOLE_PUTCHAR || eid == sbi::ext::LEGACY_CONSOLE_GETCHAR)
            continue;
        const auto outcome = call(env, eid, 0, 0x80000000, 0x1234);
        CHECK(outcome.error == sbi::error::NOT_SUPPORTED);
        CHECK(outcome.legacy);  // the caller's a1 is kept
        CHECK(outcome.action == sbi::Action::Resume);
    }
    CHECK_FALSE(call(env, 0x10 + 0x100, 0).legacy);  // not a legacy EID: a0 and a1
}

TEST_CASE("legacy console calls return only a0") {
    FakeEnv env;
    const auto put = call(env, sbi::ext::LEGACY_CONSOLE_PUTCHAR, 0, 'A');
    CHECK(put.legacy);
    CHECK(put.error == 0);
    CHECK(env.console == "A");
    CHECK(call(env, sbi::ext::LEGACY_CONSOLE_GETCHAR, 0).error == -1);
    env.input = "z";
    CHECK(call(env, sbi::ext::LEGACY_CONSOLE_GETCHAR, 0).error == 'z');
}

TEST_CASE("DBCN reads and writes only the partition's own RAM") {
    FakeEnv env;
    const std::string text = "hello";
    std::copy(text.begin(), text.end(), env.ram.begin() + 16);
    const auto ok = call(env, sbi::ext::DBCN, 0, text.size(), 0x80000010, 0);
    CHECK(ok.error == 0);
    CHECK(ok.value == text.size());
    CHECK(env.console == "hello");

    CHECK(call(env, sbi::ext::DBCN, 0, 16, 0x7ffffff8, 0).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::DBCN, 0, 4097, 0x80000000, 0).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::DBCN, 0, ~0ULL, 0x80000000, 0).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::DBCN, 0, 16, ~0ULL - 8, 0).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::DBCN, 0, 4, 0x80000000, 1).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::DBCN, 0, 0, 0, 0).value == 0);  // nothing to write is fine
    CHECK(env.console == "hello");

    env.input = "ab";
    const auto read = call(env, sbi::ext::DBCN, 1, 8, 0x80000100, 0);
    CHECK(read.error == 0);
    CHECK(read.value == 2);
    CHECK(env.ram[0x100] == 'a');
    CHECK(env.ram[0x101] == 'b');
    CHECK(call(env, sbi::ext::DBCN, 1, 8, 0x90000000, 0).error == sbi::error::INVALID_PARAM);

    CHECK(call(env, sbi::ext::DBCN, 2, 0x41).error == 0);
    CHECK(env.console == "helloA");
}

TEST_CASE("DBCN moves at most kDbcnMaxBytesPerCall bytes per call, and says how many") {
    FakeEnv env;
    std::fill(env.ram.begin(), env.ram.end(), 'x');
    const auto all_of_ram = call(env, sbi::ext::DBCN, 0, env.ram.size(), 0x80000000, 0);
    CHECK(all_of_ram.error == 0);
    CHECK(all_of_ram.value == sbi::kDbcnMaxBytesPerCall);  // a partial write
    CHECK(env.console.size() == sbi::kDbcnMaxBytesPerCall);
    // The whole buffer must still be the caller's RAM.
    CHECK(call(env, sbi::ext::DBCN, 0, env.ram.size() + 1, 0x80000000, 0).error ==
          sbi::error::INVALID_PARAM);
    CHECK(env.console.size() == sbi::kDbcnMaxBytesPerCall);

    const std::string typed(sbi::kDbcnMaxBytesPerCall + 10, 'y');
    env.input = typed;
    const auto read = call(env, sbi::ext::DBCN, 1, env.ram.size(), 0x80000000, 0);
    CHECK(read.error == 0);
    CHECK(read.value == sbi::kDbcnMaxBytesPerCall);
    CHECK(env.input.size() == 10);  // the rest waits for the next call
}

TEST_CASE("DBCN read stops at the buffer's end and leaves the rest of the input waiting") {
    FakeEnv env;
    env.input = "abc";
    const auto read = call(env, sbi::ext::DBCN, 1, 2, 0x80000ffe, 0);  // the last 2 bytes of RAM
    CHECK(read.error == 0);
    CHECK(read.value == 2);
    CHECK(env.ram[0xffe] == 'a');
    CHECK(env.ram[0xfff] == 'b');
    CHECK(env.input == "c");
    CHECK(call(env, sbi::ext::DBCN, 1, 3, 0x80000ffe, 0).error == sbi::error::INVALID_PARAM);
    CHECK(env.input == "c");  // a refused read consumes nothing
}

TEST_CASE("SRST: shutdown stops the partition; bad arguments are rejected") {
    FakeEnv env;
    const auto shutdown = call(env, sbi::ext::SRST, 0, 0, 0);
    CHECK(shutdown.action == sbi::Action::ShutdownPartition);
    CHECK(shutdown.reason == 0);
    const auto failure = call(env, sbi::ext::SRST, 0, 0, 1);
    CHECK(failure.action == sbi::Action::ShutdownPartition);
    CHECK(failure.reason == 1);
    CHECK(call(env, sbi::ext::SRST, 0, 3, 0).error == sbi::error::INVALID_PARAM);   // reserved type
    CHECK(call(env, sbi::ext::SRST, 0, 0, 2).error == sbi::error::INVALID_PARAM);   // reserved reason
    CHECK(call(env, sbi::ext::SRST, 0, 1ULL << 32, 0).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::SRST, 0, 0xF0000000, 0).error == sbi::error::NOT_SUPPORTED);
    for (std::uint64_t type : {1, 2}) {  // cold and warm reboot restart the partition
        const auto reboot = call(env, sbi::ext::SRST, 0, type, 0);
        CHECK(reboot.error == 0);
        CHECK(reboot.action == sbi::Action::RebootPartition);
    }
}

TEST_CASE("SRST: implementation and vendor reasons are accepted and passed on; wider ones are not") {
    FakeEnv env;
    // 0xE0000000.. SBI implementation specific, 0xF0000000.. vendor specific:
    // valid reasons, and not REASON_NONE, so the stop counts as a failure.
    for (std::uint64_t reason : {0xE0000000ULL, 0xEFFFFFFFULL, 0xF0000000ULL, 0xFFFFFFFFULL}) {
        const auto shutdown = call(env, sbi::ext::SRST, 0, 0, reason);
        CHECK(shutdown.error == 0);
        CHECK(shutdown.action == sbi::Action::ShutdownPartition);
        CHECK(shutdown.reason == reason);
    }
    CHECK(call(env, sbi::ext::SRST, 0, 0, 0xDFFFFFFF).error == sbi::error::INVALID_PARAM);
    const auto wide = call(env, sbi::ext::SRST, 0, 0, 1ULL << 32);  // reset_reason is 32 bits
    CHECK(wide.error == sbi::error::INVALID_PARAM);
    CHECK(wide.action == sbi::Action::Resume);
}

TEST_CASE("hart masks name only the partition's own virtual harts") {
    CHECK(sbi::resolve_hart_mask(0b101, 0, 3) == 0b101ULL);
    CHECK(sbi::resolve_hart_mask(0b1, 2, 3) == 0b100ULL);
    CHECK(sbi::resolve_hart_mask(0, 0, 3) == 0ULL);
    CHECK(sbi::resolve_hart_mask(123, sbi::kAllHarts, 3) == 0b111ULL);
    CHECK_FALSE(sbi::resolve_hart_mask(0b1000, 0, 3).has_value());
    CHECK_FALSE(sbi::resolve_hart_mask(0b1, 3, 3).has_value());
    CHECK_FALSE(sbi::resolve_hart_mask(0b10, ~0ULL - 1, 3).has_value());  // hart ~0: too high
    // base + bit wraps around to hart 0, which exists: still not a hart the
    // guest named.
    CHECK_FALSE(sbi::resolve_hart_mask(0b100, ~0ULL - 1, 3).has_value());
    CHECK_FALSE(sbi::resolve_hart_mask(1ULL << 63, (1ULL << 63) + 1, 3).has_value());  // -> 1
    CHECK_FALSE(sbi::resolve_hart_mask(1ULL << 63, 1, 64).has_value());
    CHECK(sbi::resolve_hart_mask(1ULL << 63, 0, 64) == 1ULL << 63);
}

TEST_CASE("TIME, IPI and RFENCE reach the environment only with valid masks") {
    FakeEnv env;
    CHECK(call(env, sbi::ext::TIME, 0, 12345).error == 0);
    CHECK(env.timer == 12345);
    CHECK(call(env, sbi::ext::TIME, 1, 1).error == sbi::error::NOT_SUPPORTED);

    CHECK(call(env, sbi::ext::IPI, 0, 0b110, 0).error == 0);
    CHECK(env.ipis == 0b110);
    CHECK(call(env, sbi::ext::IPI, 0, 0b1, 7).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::IPI, 0, 0b1111, 0).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::IPI, 0, 0b100, ~0ULL - 1).error == sbi::error::INVALID_PARAM);
    CHECK(env.ipis == 0b110);  // a rejected mask touches nothing
    CHECK(call(env, sbi::ext::IPI, 1, 1, 0).error == sbi::error::NOT_SUPPORTED);

    CHECK(call(env, sbi::ext::RFENCE, 0, 0, sbi::kAllHarts).error == 0);
    CHECK(env.fenced == 0b111);
    CHECK(call(env, sbi::ext::RFENCE, 1, 0b1, 1).error == 0);
    CHECK(call(env, sbi::ext::RFENCE, 2, 0b1, 1).error == 0);
    CHECK(env.fences == 3);
    CHECK(call(env, sbi::ext::RFENCE, 1, 0b1, 3).error == sbi::error::INVALID_PARAM);
    CHECK(env.fences == 3);
    for (std::uint64_t fid = 3; fid <= 7; ++fid)
        CHECK(call(env, sbi::ext::RFENCE, fid, 1, 0).error == sbi::error::NOT_SUPPORTED);
}

TEST_CASE("HSM: start, status, stop and suspend follow the SBI spec") {
    FakeEnv env;
    CHECK(call(env, sbi::ext::HSM, 2, 0).value == sbi::hsm_state::STARTED);
    CHECK(call(env, sbi::ext::HSM, 2, 1).value == sbi::hsm_state::STOPPED);
    CHECK(call(env, sbi::ext::HSM, 2, 3).error == sbi::error::INVALID_PARAM);

    CHECK(call(env, sbi::ext::HSM, 0, 3, 0x80000000, 7).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::HSM, 0, 1, 0x90000000, 7).error == sbi::error::INVALID_ADDRESS);
    CHECK(call(env, sbi::ext::HSM, 0, 1, 0x80000100, 7).error == 0);
    CHECK(env.started_addr == 0x80000100);
    CHECK(env.started_opaque == 7);
    CHECK(call(env, sbi::ext::HSM, 0, 1, 0x80000100, 7).error == sbi::error::ALREADY_AVAILABLE);
    CHECK(call(env, sbi::ext::HSM, 0, 2, 0x80000100, 7).error == sbi::error::ALREADY_AVAILABLE);

    CHECK(call(env, sbi::ext::HSM, 1).action == sbi::Action::StopHart);

    CHECK(call(env, sbi::ext::HSM, 3, 0).error == 0);
    CHECK(env.suspends == 1);
    // Retentive suspend: SUSPENDED to the other harts while it waits, STARTED after.
    CHECK(env.status_while_suspended == sbi::hsm_state::SUSPENDED);
    CHECK(env.states[0] == sbi::hsm_state::STARTED);
    CHECK(call(env, sbi::ext::HSM, 3, 1).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::HSM, 3, 0x10000000).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::HSM, 3, 1ULL << 32).error == sbi::error::INVALID_PARAM);
    CHECK(call(env, sbi::ext::HSM, 3, 0x80000000, 0x90000000).error ==
          sbi::error::INVALID_ADDRESS);
    const auto suspend = call(env, sbi::ext::HSM, 3, 0x80000000, 0x80000200, 9);
    CHECK(suspend.action == sbi::Action::SuspendHart);
    CHECK(suspend.addr == 0x80000200);
    CHECK(suspend.opaque == 9);
    CHECK(call(env, sbi::ext::HSM, 4).error == sbi::error::NOT_SUPPORTED);
}

TEST_CASE("TESSERA watchdog kick: SUCCESS with a watchdog, NOT_SUPPORTED without") {
    FakeEnv env;
    CHECK(call(env, sbi::ext::TESSERA, sbi::tessera_fn::WATCHDOG_KICK).error ==
          sbi::error::NOT_SUPPORTED);
    env.has_watchdog = true;
    CHECK(call(env, sbi::ext::TESSERA, sbi::tessera_fn::WATCHDOG_KICK).error == 0);
    CHECK(env.kicks == 1);
    CHECK(call(env, sbi::ext::TESSERA, 1).error == sbi::error::NOT_SUPPORTED);  // unknown FID
    CHECK(env.kicks == 1);
}
