#include <doctest/doctest.h>

#include <array>
#include <string>

#include "console/console_mux.hpp"

namespace {

std::string g_output;
void capture(std::string_view text) { g_output += text; }

std::span<const std::uint8_t> bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

TEST_CASE("lines of different partitions never interleave inside a line") {
    g_output.clear();
    std::array<tessera::ConsoleMux::Source, 2> sources{};
    sources[0].name = "linux";
    sources[1].name = "rtos";
    tessera::ConsoleMux mux(capture, sources);
    mux.write(0, bytes("boot"));
    mux.write(1, bytes("tick 1\ntick"));
    mux.write(0, bytes("ing\r\n"));
    mux.write(1, bytes(" 2\n"));
    CHECK(g_output == "[rtos] tick 1\n[linux] booting\n[rtos] tick 2\n");
}

TEST_CASE("hypervisor lines, flush and overlong lines") {
    g_output.clear();
    std::array<tessera::ConsoleMux::Source, 1> sources{};
    sources[0].name = "p";
    tessera::ConsoleMux mux(capture, sources);
    mux.log("hello");
    mux.write(0, bytes("partial"));
    mux.flush(0);
    mux.flush(0);  // nothing left: no empty line
    CHECK(g_output == "[tessera] hello\n[p] partial\n");

    g_output.clear();
    const std::string long_line(tessera::ConsoleMux::kLineCapacity + 5, 'x');
    mux.write(0, bytes(long_line + "\n"));
    CHECK(g_output == "[p] " + std::string(tessera::ConsoleMux::kLineCapacity, 'x') + "\n[p] xxxxx\n");

    g_output.clear();
    mux.write(7, bytes("no such source\n"));  // ignored, not a crash
    CHECK(g_output.empty());
}

TEST_CASE("a prompt is shown before its line ends, and others' output never lands inside it") {
    g_output.clear();
    std::array<tessera::ConsoleMux::Source, 2> sources{};
    sources[0].name = "uboot";
    sources[1].name = "rtos";
    tessera::ConsoleMux mux(capture, sources);
    mux.write(0, bytes("=> "));
    mux.show_partial(0);  // one poll right after printing: maybe more to come
    CHECK(g_output.empty());
    mux.show_partial(0);  // polled again, nothing written: it waits for input
    CHECK(g_output == "[uboot] => ");
    mux.show_partial(0);  // nothing new: nothing written
    CHECK(g_output == "[uboot] => ");
    mux.write(0, bytes("ver"));
    mux.show_partial(0);
    mux.show_partial(0);  // the echo continues the same console line
    CHECK(g_output == "[uboot] => ver");
    mux.write(0, bytes("sion\n"));
    CHECK(g_output == "[uboot] => version\n");

    g_output.clear();
    mux.write(0, bytes("=> "));
    mux.show_partial(0);
    mux.show_partial(0);
    mux.write(1, bytes("tick\n"));  // ends the open line first
    mux.log("note");
    mux.write(0, bytes("help\n"));  // the whole line again, prefixed
    CHECK(g_output == "[uboot] => \n[rtos] tick\n[tessera] note\n[uboot] => help\n");

    g_output.clear();
    mux.write(0, bytes("> "));
    mux.show_partial(0);
    mux.show_partial(0);
    mux.flush(0);
    CHECK(g_output == "[uboot] > \n");
    mux.show_partial(9);  // ignored, not a crash
}

#include "lib/text.hpp"

TEST_CASE("a driver polling its line status between the characters it prints keeps its lines whole") {
    g_output.clear();
    std::array<tessera::ConsoleMux::Source, 2> sources{};
    sources[0].name = "linux";
    sources[1].name = "rtos";
    tessera::ConsoleMux mux(capture, sources);
    for (char c : std::string_view("PASS disk")) {
        mux.write(0, bytes(std::string_view(&c, 1)));
        mux.show_partial(0);  // Linux's 8250 console reads LSR before each character
    }
    mux.write(1, bytes("tick\n"));
    mux.write(0, bytes(" ok\n"));
    CHECK(g_output == "[rtos] tick\n[linux] PASS disk ok\n");
}

TEST_CASE("log-line formatting of numbers") {
    tessera::Line line;
    line << "x=" << tessera::hex(0) << ' ' << tessera::hex(0x80200000) << ' '
         << tessera::hex(~0ULL) << ' ' << tessera::dec(0) << ' ' << tessera::dec(18446744073709551615ULL);
    CHECK(line.view() == "x=0x0 0x80200000 0xffffffffffffffff 0 18446744073709551615");
    tessera::Text<4> tiny;
    tiny << "truncated";
    CHECK(tiny.view() == "trun");
}

TEST_CASE("a source with a colour gets it around its prefix only") {
    g_output.clear();
    std::array<tessera::ConsoleMux::Source, 1> sources{};
    sources[0].name = "rtos";
    sources[0].colour = "\x1b[36m";
    tessera::ConsoleMux mux(capture, sources, "\x1b[1m");
    mux.write(0, bytes("tick\n"));
    mux.log("hello");
    CHECK(g_output == "\x1b[36m[rtos]\x1b[0m tick\n\x1b[1m[tessera]\x1b[0m hello\n");
}

TEST_CASE("silence ends an open line and drops everything after, the hypervisor's own lines too") {
    g_output.clear();
    std::array<tessera::ConsoleMux::Source, 2> sources{};
    sources[0].name = "linux";
    sources[1].name = "rtos";
    tessera::ConsoleMux mux(capture, sources);
    mux.write(0, bytes("login: "));
    mux.show_partial(0);
    mux.show_partial(0);
    mux.write(1, bytes("half a li"));
    mux.silence();
    CHECK(g_output == "[linux] login: \n");

    g_output.clear();
    mux.write(1, bytes("ne\n"));
    mux.write(0, bytes("root\n"));
    mux.write(0, bytes("> "));
    mux.show_partial(0);
    mux.flush(0);
    mux.flush(1);
    mux.log("partition linux stopped");
    mux.silence();  // twice: still nothing
    CHECK(g_output.empty());
}
