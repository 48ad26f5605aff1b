#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "console/console_input.hpp"

namespace {

// The physical console: what the user typed, consumed byte by byte.
std::string g_typed;
std::size_t g_position = 0;
int typed_byte() {
    if (g_position >= g_typed.size()) return -1;
    return static_cast<unsigned char>(g_typed[g_position++]);
}

struct Announcement {
    std::uint32_t focus;
    bool help;
};
std::vector<Announcement> g_announced;
void announce(std::uint32_t focus, bool help) { g_announced.push_back({focus, help}); }

void type(std::string text) {
    g_typed = std::move(text);
    g_position = 0;
    g_announced.clear();
}

std::string read_all(tessera::ConsoleInput& input, std::uint32_t index) {
    std::string got;
    for (int byte; (byte = input.read_for(index)) >= 0;) got += static_cast<char>(byte);
    return got;
}

}  // namespace

TEST_CASE("console input goes to partition 0 until Ctrl-T and a number move the focus") {
    tessera::ConsoleInput input(typed_byte, announce, 3);
    type("ab");
    CHECK(read_all(input, 1) == "");  // not focused: the bytes stay on the console
    CHECK(read_all(input, 0) == "ab");

    type("x\x14" "3yz");
    CHECK(read_all(input, 0) == "x");  // the command ends partition 0's input
    CHECK(input.focus() == 2);
    REQUIRE(g_announced.size() == 1);
    CHECK(g_announced[0].focus == 2);
    CHECK_FALSE(g_announced[0].help);
    CHECK(read_all(input, 0) == "");
    CHECK(read_all(input, 2) == "yz");
}

TEST_CASE("Ctrl-T Ctrl-T sends one Ctrl-T; Ctrl-T ? asks for help; anything else is dropped") {
    tessera::ConsoleInput input(typed_byte, announce, 2);
    type("\x14\x14" "a\x14?b\x14q" "c\x14" "9d");
    CHECK(read_all(input, 0) == "\x14" "abcd");  // partition 9 doesn't exist: no move
    CHECK(input.focus() == 0);
    REQUIRE(g_announced.size() == 1);
    CHECK(g_announced[0].help);
}

TEST_CASE("a Ctrl-T at the end of one read completes with the next") {
    tessera::ConsoleInput input(typed_byte, announce, 2);
    type("a\x14");
    CHECK(read_all(input, 0) == "a");
    type("2b");
    CHECK(read_all(input, 0) == "");
    CHECK(input.focus() == 1);
    CHECK(read_all(input, 1) == "b");
}

TEST_CASE("take_pending drains for the focused partition and stops where the focus moves") {
    tessera::ConsoleInput input(typed_byte, announce, 2);
    type("hello\x14" "2world");
    std::uint8_t buffer[16];
    std::uint32_t focus = 99;
    std::size_t n = input.take_pending(buffer, sizeof buffer, &focus);
    CHECK(focus == 0);
    CHECK(std::string(reinterpret_cast<char*>(buffer), n) == "hello");
    n = input.take_pending(buffer, sizeof buffer, &focus);
    CHECK(focus == 1);
    CHECK(std::string(reinterpret_cast<char*>(buffer), n) == "world");
    n = input.take_pending(buffer, 3, &focus);
    CHECK(n == 0);
}

TEST_CASE("take_pending stops when the buffer is full and loses no byte") {
    tessera::ConsoleInput input(typed_byte, announce, 2);
    type("abcdefg");
    std::uint8_t buffer[3];
    std::uint32_t focus = 99;
    std::string got;
    std::size_t n;
    while ((n = input.take_pending(buffer, sizeof buffer, &focus)) != 0) {
        CHECK(n <= sizeof buffer);
        got.append(reinterpret_cast<char*>(buffer), n);
    }
    CHECK(got == "abcdefg");
    CHECK(focus == 0);

    type("xy");
    CHECK(input.take_pending(buffer, 0, &focus) == 0);  // no room: nothing is taken
    CHECK(input.take_pending(buffer, sizeof buffer, &focus) == 2);
    CHECK(std::string(reinterpret_cast<char*>(buffer), 2) == "xy");
}

TEST_CASE("Ctrl-T 0 and out-of-range indexes don't move the focus") {
    tessera::ConsoleInput input(typed_byte, announce, 2);
    type("\x14" "0a\x14" "3b");  // partitions are numbered from 1; there is no 3rd
    CHECK(read_all(input, 0) == "ab");
    CHECK(input.focus() == 0);
    CHECK(g_announced.empty());
    input.set_focus(2);  // the hypervisor's own call: an index it doesn't have
    CHECK(input.focus() == 0);
    input.set_focus(1);
    CHECK(input.focus() == 1);
}

TEST_CASE("a disconnected input never reads the physical console again") {
    tessera::ConsoleInput input(typed_byte, announce, 2);
    type("ab");
    CHECK(read_all(input, 0) == "ab");
    input.disconnect();
    type("cd\x14" "2ef");
    CHECK(read_all(input, 0) == "");
    std::uint8_t buffer[16];
    std::uint32_t focus = 99;
    CHECK(input.take_pending(buffer, sizeof buffer, &focus) == 0);
    CHECK(focus == 0);
    CHECK(g_position == 0);  // every typed byte is still there for the console's owner
    CHECK(input.focus() == 0);
    CHECK(g_announced.empty());
}
