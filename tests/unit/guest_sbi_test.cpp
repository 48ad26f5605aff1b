#include <doctest/doctest.h>

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
    for (std::uint64_t eid : {sbi::ext::BASE, sbi::ext::DBCN, sbi::ext::SRST, std::uint64_t{1},
                              std::uint64_t{2}}) {
        CHECK(call(env, sbi::ext::BASE, 3, eid).value == 1);
    }
    // Not implemented yet, so not advertised.
    for (std::uint64_t eid : {std::uint64_t{0x54494D45}, std::uint64_t{0x735049},
                              std::uint64_t{0x52464E43}, std::uint64_t{0x48534D},
                              std::uint64_t{0x0}, std::uint64_t{0x08}, ~std::uint64_t{0}}) {
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
    const auto reboot = call(env, sbi::ext::SRST, 0, 1, 0);  // restart comes with lifecycle work
    CHECK(reboot.error == sbi::error::NOT_SUPPORTED);
    CHECK(reboot.action == sbi::Action::Resume);
}
