#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "irq/virtual_plic.hpp"

namespace layout = tessera::irq::plic_layout;
using tessera::irq::m_context;
using tessera::irq::s_context;
using tessera::irq::SourceSet;
using tessera::irq::VirtualPlic;

namespace {

// A partition's PLIC as the guest drives it: 4-byte register accesses.
struct Guest {
    VirtualPlic plic;

    Guest(std::uint32_t sources, std::uint32_t vharts) { plic.reset(sources, vharts); }

    std::uint32_t read(std::uint64_t offset) {
        std::uint32_t value = 0xdeadbeef;
        REQUIRE(plic.read(offset, 4, value));
        return value;
    }
    void write(std::uint64_t offset, std::uint32_t value) { REQUIRE(plic.write(offset, 4, value)); }

    void set_priority(std::uint32_t source, std::uint32_t priority) {
        write(layout::priority(source), priority);
    }
    void enable(std::uint32_t context, std::uint32_t source) {
        const std::uint64_t offset = layout::enable(context, source / 32);
        write(offset, read(offset) | 1U << (source % 32));
    }
    void disable(std::uint32_t context, std::uint32_t source) {
        const std::uint64_t offset = layout::enable(context, source / 32);
        write(offset, read(offset) & ~(1U << (source % 32)));
    }
    void set_threshold(std::uint32_t context, std::uint32_t threshold) {
        write(layout::threshold(context), threshold);
    }
    std::uint32_t claim(std::uint32_t context) { return read(layout::claim(context)); }
    void complete(std::uint32_t context, std::uint32_t source) {
        write(layout::claim(context), source);
    }
    bool pending(std::uint32_t source) {
        return (read(layout::pending(source / 32)) >> (source % 32) & 1) != 0;
    }
};

std::vector<std::uint32_t> members(const SourceSet& set) {
    std::vector<std::uint32_t> sources;
    set.for_each([&](std::uint32_t source) { sources.push_back(source); });
    return sources;
}

}  // namespace

TEST_CASE("the register layout is QEMU virt's, for every context") {
    static_assert(tessera::irq::kMaxVirtualSources == 128);
    static_assert(tessera::irq::kMaxVirtualHarts == 8);
    CHECK(layout::priority(5) == 0x14);
    CHECK(layout::pending(1) == 0x1004);
    CHECK(layout::enable(3, 1) == 0x2184);
    CHECK(layout::threshold(3) == 0x203000);
    CHECK(layout::claim(3) == 0x203004);
    CHECK(layout::window_size(2) == 0x204000);
    CHECK(m_context(2) == 4);
    CHECK(s_context(2) == 5);

    Guest guest(100, 4);  // 8 contexts
    // Every register of every context holds its own value.
    for (std::uint32_t context = 0; context < 8; ++context) {
        guest.set_threshold(context, context % 8);
        for (std::uint32_t word = 0; word < 4; ++word)
            guest.write(0x2000 + 0x80 * context + 4 * word,
                        0x01010100U << (context % 4) | word << 8);
    }
    for (std::uint32_t context = 0; context < 8; ++context) {
        CAPTURE(context);
        CHECK(guest.read(0x200000 + 0x1000 * context) == context % 8);
        for (std::uint32_t word = 0; word < 3; ++word)
            CHECK(guest.read(0x2000 + 0x80 * context + 4 * word) ==
                  (0x01010100U << (context % 4) | word << 8));
        // Word 3 holds sources 96..127, of which only 96..100 exist.
        CHECK(guest.read(0x2000 + 0x80 * context + 12) ==
              ((0x01010100U << (context % 4) | 3U << 8) & 0x1f));
    }
    for (std::uint32_t source = 1; source <= 100; ++source) guest.set_priority(source, source % 8);
    for (std::uint32_t source = 1; source <= 100; ++source)
        CHECK(guest.read(4 * source) == source % 8);
}

TEST_CASE("priorities and thresholds are 3-bit WARL fields") {
    Guest guest(10, 1);
    guest.set_priority(3, 0xffffffff);
    CHECK(guest.read(layout::priority(3)) == 7);
    guest.set_priority(3, 0x0a);
    CHECK(guest.read(layout::priority(3)) == 2);
    guest.set_threshold(1, 0x1f);
    CHECK(guest.read(layout::threshold(1)) == 7);
    guest.set_threshold(0, 8);
    CHECK(guest.read(layout::threshold(0)) == 0);
    // Source 0 does not exist: its priority reads 0, writes are ignored.
    guest.write(layout::priority(0), 5);
    CHECK(guest.read(layout::priority(0)) == 0);
    // Its enable bit is hardwired to 0 as well.
    guest.write(layout::enable(1, 0), 0xffffffff);
    CHECK(guest.read(layout::enable(1, 0)) == 0x7fe);  // sources 1..10
}

TEST_CASE("pending bits are read-only to the guest") {
    Guest guest(40, 1);
    guest.plic.raise(3);
    guest.plic.raise(33);
    CHECK(guest.read(layout::pending(0)) == 1U << 3);
    CHECK(guest.read(layout::pending(1)) == 1U << 1);
    guest.write(layout::pending(0), 0xffffffff);
    guest.write(layout::pending(1), 0);
    CHECK(guest.read(layout::pending(0)) == 1U << 3);
    CHECK(guest.read(layout::pending(1)) == 1U << 1);
}

TEST_CASE("offsets that name no register read 0 and ignore writes") {
    Guest guest(20, 2);  // sources 1..20, contexts 0..3
    const std::uint64_t offsets[] = {
        layout::priority(21),   layout::priority(127),  layout::priority(1023),
        layout::pending(4),     layout::pending(31),    0x1080,
        0x1ffc,                 layout::enable(1, 4),   layout::enable(1, 31),
        layout::enable(4, 0),   layout::enable(15, 0),  layout::enable(15871, 31),
        0x1f2000,               0x1ffffc,               layout::threshold(4),
        layout::claim(4),       layout::threshold(15),  layout::claim(15871),
        layout::threshold(0) + 8, layout::threshold(1) + 0xffc,  0x3fffffc,
    };
    for (std::uint64_t offset : offsets) {
        CAPTURE(offset);
        guest.write(offset, 0xffffffff);
        CHECK(guest.read(offset) == 0);
    }
    // Enable bits past riscv,ndev don't stick either.
    guest.write(layout::enable(1, 0), 0xffffffff);
    CHECK(guest.read(layout::enable(1, 0)) == 0x1ffffe);
    // Nothing of the above touched a real register.
    for (std::uint32_t source = 1; source <= 20; ++source)
        CHECK(guest.read(layout::priority(source)) == 0);
    CHECK(guest.read(layout::threshold(3)) == 0);
}

TEST_CASE("only naturally aligned 4-byte accesses are valid") {
    Guest guest(10, 1);
    std::uint32_t value = 0;
    for (unsigned width : {1U, 2U, 8U, 0U, 3U}) {
        CAPTURE(width);
        CHECK_FALSE(guest.plic.read(layout::priority(1), width, value));
        CHECK_FALSE(guest.plic.write(layout::priority(1), width, 7));
    }
    for (std::uint64_t offset : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3},
                                 layout::claim(1) + 2, layout::enable(0, 0) + 1}) {
        CAPTURE(offset);
        CHECK_FALSE(guest.plic.read(offset, 4, value));
        CHECK_FALSE(guest.plic.write(offset, 4, 7));
    }
    CHECK(guest.read(layout::priority(1)) == 0);  // rejected writes had no effect
}

TEST_CASE("a claim/complete access of the wrong width is refused and claims nothing") {
    Guest guest(10, 1);
    const std::uint32_t s = s_context(0);
    guest.set_priority(3, 1);
    guest.enable(s, 3);
    guest.plic.raise(3);
    REQUIRE(guest.plic.signals(0));
    std::uint32_t value = 0xdeadbeef;
    for (unsigned width : {1U, 2U, 8U}) {
        CAPTURE(width);
        CHECK_FALSE(guest.plic.read(layout::claim(s), width, value));
        CHECK(value == 0xdeadbeef);
        CHECK(guest.pending(3));  // still pending: the refused read claimed nothing
    }
    CHECK(guest.claim(s) == 3);
    CHECK_FALSE(guest.plic.write(layout::claim(s), 2, 3));  // a 2-byte completion
    CHECK(guest.claim(s) == 0);  // 3 stays in service: the completion didn't happen
    guest.plic.raise(3);
    CHECK_FALSE(guest.pending(3));
    guest.complete(s, 3);
    CHECK(members(guest.plic.take_completed()) == std::vector<std::uint32_t>{3});
}

TEST_CASE("claim takes the highest priority, ties go to the lowest id") {
    Guest guest(50, 1);
    const std::uint32_t s = s_context(0);
    for (std::uint32_t source : {4U, 9U, 17U, 33U, 40U}) guest.enable(s, source);
    guest.set_priority(4, 2);
    guest.set_priority(9, 5);
    guest.set_priority(17, 5);
    guest.set_priority(33, 7);
    guest.set_priority(40, 1);
    for (std::uint32_t source : {40U, 33U, 17U, 9U, 4U}) guest.plic.raise(source);
    CHECK(guest.plic.signals(0));
    CHECK(guest.claim(s) == 33);
    CHECK(guest.claim(s) == 9);
    CHECK(guest.claim(s) == 17);
    CHECK(guest.claim(s) == 4);
    CHECK(guest.claim(s) == 40);
    CHECK_FALSE(guest.plic.signals(0));
    CHECK(guest.claim(s) == 0);  // nothing left
    CHECK(guest.read(layout::pending(0)) == 0);
    CHECK(guest.read(layout::pending(1)) == 0);
}

TEST_CASE("claims see only sources enabled in that context with a priority above 0") {
    Guest guest(10, 2);
    guest.set_priority(1, 3);
    guest.set_priority(2, 3);
    guest.set_priority(3, 0);  // never interrupts
    guest.enable(s_context(0), 1);
    guest.enable(s_context(1), 2);
    guest.enable(s_context(0), 3);
    guest.enable(s_context(1), 3);
    for (std::uint32_t source : {1U, 2U, 3U}) guest.plic.raise(source);
    CHECK(guest.plic.signals(0));
    CHECK(guest.plic.signals(1));
    CHECK(guest.claim(s_context(1)) == 2);
    CHECK(guest.claim(s_context(1)) == 0);  // 1 is not enabled there, 3 has priority 0
    CHECK(guest.plic.signals(0));
    CHECK_FALSE(guest.plic.signals(1));
    CHECK(guest.claim(s_context(0)) == 1);
    CHECK_FALSE(guest.plic.signals(0));
    CHECK(guest.pending(3));  // still pending, just never eligible
}

TEST_CASE("the threshold masks both the signal and the claim") {
    Guest guest(10, 1);
    const std::uint32_t s = s_context(0);
    guest.enable(s, 5);
    guest.enable(s, 6);
    guest.set_priority(5, 3);
    guest.set_priority(6, 4);
    guest.plic.raise(5);
    guest.plic.raise(6);
    guest.set_threshold(s, 4);  // priority must be greater than the threshold
    CHECK_FALSE(guest.plic.signals(0));
    CHECK(guest.claim(s) == 0);
    guest.set_threshold(s, 3);
    CHECK(guest.plic.signals(0));
    CHECK(guest.claim(s) == 6);
    CHECK_FALSE(guest.plic.signals(0));  // 5 has priority 3, not above 3
    CHECK(guest.claim(s) == 0);
    guest.set_threshold(s, 0);
    CHECK(guest.plic.signals(0));
    CHECK(guest.claim(s) == 5);
    guest.set_threshold(s, 7);  // nothing can exceed 7
    guest.set_priority(5, 7);
    guest.complete(s, 5);
    guest.plic.raise(5);
    CHECK_FALSE(guest.plic.signals(0));
    CHECK(guest.claim(s) == 0);
}

TEST_CASE("signal_levels has a bit per vhart that signals, as signals() says") {
    Guest guest(10, 3);
    CHECK(guest.plic.signal_levels() == 0);
    guest.set_priority(4, 1);
    guest.set_priority(7, 2);
    guest.enable(s_context(1), 4);  // source 4 only on vhart 1
    guest.enable(s_context(0), 7);  // source 7 on vharts 0 and 2
    guest.enable(s_context(2), 7);
    guest.plic.raise(4);
    CHECK(guest.plic.signal_levels() == 0b010);
    guest.plic.set_level(7, true);
    CHECK(guest.plic.signal_levels() == 0b111);
    // vhart 1's claim changes vhart 1's level only: the others are not concerned.
    CHECK(guest.claim(s_context(1)) == 4);
    CHECK(guest.plic.signal_levels() == 0b101);
    guest.set_threshold(s_context(2), 2);
    CHECK(guest.plic.signal_levels() == 0b001);
    // A claim of the shared source by vhart 0 takes it from vhart 2 as well.
    guest.set_threshold(s_context(2), 0);
    CHECK(guest.claim(s_context(0)) == 7);
    CHECK(guest.plic.signal_levels() == 0);
    for (std::uint32_t vhart = 0; vhart < 3; ++vhart) CHECK_FALSE(guest.plic.signals(vhart));
    // Still high at completion: pending again, on both.
    guest.complete(s_context(0), 7);
    CHECK(guest.plic.signal_levels() == 0b101);
    CHECK(guest.plic.signals(0));
    CHECK_FALSE(guest.plic.signals(1));
    CHECK(guest.plic.signals(2));
}

TEST_CASE("M-mode contexts have registers but never signal") {
    Guest guest(10, 2);
    guest.set_priority(4, 1);
    guest.enable(m_context(0), 4);
    guest.enable(m_context(1), 4);
    CHECK(guest.read(layout::enable(m_context(1), 0)) == 1U << 4);
    guest.plic.raise(4);
    CHECK_FALSE(guest.plic.signals(0));
    CHECK_FALSE(guest.plic.signals(1));
    CHECK_FALSE(guest.plic.enabled_anywhere(4));
    guest.enable(s_context(1), 4);
    CHECK_FALSE(guest.plic.signals(0));
    CHECK(guest.plic.signals(1));
    CHECK_FALSE(guest.plic.signals(2));  // no such vhart
    CHECK_FALSE(guest.plic.signals(1000));
}

TEST_CASE("completion ends service only for an in-service source enabled in that context") {
    Guest guest(10, 2);
    const std::uint32_t s0 = s_context(0);
    const std::uint32_t s1 = s_context(1);
    guest.set_priority(7, 1);
    guest.enable(s0, 7);
    guest.plic.raise(7);
    REQUIRE(guest.claim(s0) == 7);

    guest.complete(s1, 7);  // not enabled in context s1: ignored
    guest.complete(s0, 8);  // not in service: ignored
    guest.complete(s0, 0);  // source 0: ignored
    guest.complete(s0, 11);  // past riscv,ndev: ignored
    guest.complete(s0, 0xffffffff);
    CHECK(guest.plic.take_completed().empty());
    guest.plic.raise(7);  // still in service: not latched
    CHECK_FALSE(guest.pending(7));

    guest.complete(s0, 7);
    CHECK(members(guest.plic.take_completed()) == std::vector<std::uint32_t>{7});
    CHECK(guest.plic.take_completed().empty());  // taken
    guest.complete(s0, 7);  // a second completion is ignored
    CHECK(guest.plic.take_completed().empty());

    // Out of service again: the next request latches.
    guest.plic.raise(7);
    CHECK(guest.pending(7));
    CHECK(guest.claim(s0) == 7);
    // Completing after the guest disabled the source is ignored.
    guest.disable(s0, 7);
    guest.complete(s0, 7);
    CHECK(guest.plic.take_completed().empty());
    guest.enable(s0, 7);
    guest.complete(s0, 7);
    CHECK(members(guest.plic.take_completed()) == std::vector<std::uint32_t>{7});
}

TEST_CASE("completions accumulate until taken") {
    Guest guest(100, 1);
    const std::uint32_t s = s_context(0);
    for (std::uint32_t source : {2U, 31U, 32U, 99U}) {
        guest.set_priority(source, 1);
        guest.enable(s, source);
        guest.plic.raise(source);
    }
    for (int i = 0; i < 4; ++i) {
        const std::uint32_t source = guest.claim(s);
        guest.complete(s, source);
    }
    const SourceSet completed = guest.plic.take_completed();
    CHECK(members(completed) == std::vector<std::uint32_t>{2, 31, 32, 99});
    CHECK(completed.contains(32));
    CHECK_FALSE(completed.contains(33));
    CHECK(completed.word(1) == 1U);
}

TEST_CASE("a level source still high at completion is pending again") {
    Guest guest(10, 1);
    const std::uint32_t s = s_context(0);
    guest.set_priority(10, 1);
    guest.enable(s, 10);
    guest.plic.set_level(10, true);
    CHECK(guest.plic.signals(0));
    CHECK(guest.claim(s) == 10);
    CHECK_FALSE(guest.plic.signals(0));
    guest.complete(s, 10);  // the device still wants service
    CHECK(guest.pending(10));
    CHECK(guest.claim(s) == 10);
    guest.plic.set_level(10, false);  // the handler served the device
    guest.complete(s, 10);
    CHECK_FALSE(guest.pending(10));
    CHECK_FALSE(guest.plic.signals(0));
    // Raised and dropped while in service: nothing pending at completion.
    guest.plic.set_level(10, true);
    CHECK(guest.claim(s) == 10);
    guest.plic.set_level(10, false);
    guest.plic.set_level(10, true);
    guest.plic.set_level(10, false);
    guest.complete(s, 10);
    CHECK_FALSE(guest.pending(10));
    // A line that drops before the claim withdraws the request.
    guest.plic.set_level(10, true);
    CHECK(guest.pending(10));
    guest.plic.set_level(10, false);
    CHECK_FALSE(guest.pending(10));
    CHECK(guest.claim(s) == 0);
}

TEST_CASE("raises while in service are not latched") {
    Guest guest(10, 1);
    const std::uint32_t s = s_context(0);
    guest.set_priority(1, 1);
    guest.enable(s, 1);
    guest.plic.raise(1);
    guest.plic.raise(1);  // already pending: still one request
    CHECK(guest.claim(s) == 1);
    CHECK(guest.claim(s) == 0);
    guest.plic.raise(1);
    CHECK_FALSE(guest.pending(1));
    CHECK_FALSE(guest.plic.signals(0));
    guest.complete(s, 1);
    CHECK_FALSE(guest.pending(1));  // an edge source does not come back by itself
    CHECK(guest.claim(s) == 0);
}

TEST_CASE("sources that do not exist are ignored") {
    Guest guest(10, 1);
    const std::uint32_t s = s_context(0);
    guest.write(layout::enable(s, 0), 0xffffffff);
    guest.plic.raise(0);
    guest.plic.raise(11);
    guest.plic.raise(127);
    guest.plic.raise(128);
    guest.plic.raise(0xffffffff);
    guest.plic.set_level(11, true);
    guest.plic.set_level(4096, true);
    CHECK(guest.read(layout::pending(0)) == 0);
    for (std::uint32_t word = 1; word < 32; ++word) CHECK(guest.read(layout::pending(word)) == 0);
    CHECK_FALSE(guest.plic.signals(0));
    CHECK_FALSE(guest.plic.first_enabled_vhart(0).has_value());
    CHECK_FALSE(guest.plic.first_enabled_vhart(11).has_value());
    CHECK_FALSE(guest.plic.first_enabled_vhart(1000).has_value());
}

TEST_CASE("routing: the lowest vhart whose S context enables a source with priority") {
    Guest guest(20, 4);
    CHECK_FALSE(guest.plic.first_enabled_vhart(12).has_value());
    guest.enable(s_context(2), 12);
    guest.enable(s_context(3), 12);
    CHECK_FALSE(guest.plic.enabled_anywhere(12));  // priority 0
    guest.set_priority(12, 1);
    REQUIRE(guest.plic.first_enabled_vhart(12).has_value());
    CHECK(*guest.plic.first_enabled_vhart(12) == 2);
    guest.enable(s_context(1), 12);
    CHECK(*guest.plic.first_enabled_vhart(12) == 1);
    guest.enable(m_context(0), 12);  // M contexts don't count
    CHECK(*guest.plic.first_enabled_vhart(12) == 1);
    guest.disable(s_context(1), 12);
    guest.disable(s_context(2), 12);
    CHECK(*guest.plic.first_enabled_vhart(12) == 3);
    CHECK(guest.plic.enabled_anywhere(12));
}

TEST_CASE("routing prefers a vhart whose threshold lets the source through") {
    Guest guest(20, 4);
    guest.set_priority(12, 3);
    guest.enable(s_context(1), 12);
    guest.enable(s_context(2), 12);
    guest.set_threshold(s_context(1), 3);  // masks priority 3
    CHECK(*guest.plic.first_enabled_vhart(12) == 2);
    guest.set_threshold(s_context(2), 5);  // both masked: the lowest enabling one
    CHECK(*guest.plic.first_enabled_vhart(12) == 1);
    guest.set_threshold(s_context(1), 2);
    CHECK(*guest.plic.first_enabled_vhart(12) == 1);
}

TEST_CASE("reset clears everything and clamps the configuration to the storage") {
    Guest guest(10, 1);
    const std::uint32_t s = s_context(0);
    guest.set_priority(3, 4);
    guest.enable(s, 3);
    guest.set_threshold(s, 1);
    guest.plic.raise(3);
    REQUIRE(guest.claim(s) == 3);
    guest.complete(s, 3);
    guest.plic.reset(10, 1);
    CHECK(guest.read(layout::priority(3)) == 0);
    CHECK(guest.read(layout::enable(s, 0)) == 0);
    CHECK(guest.read(layout::threshold(s)) == 0);
    CHECK(guest.plic.take_completed().empty());

    guest.plic.reset(5000, 100);
    CHECK(guest.plic.sources() == 127);
    CHECK(guest.plic.contexts() == 16);
    guest.set_priority(127, 1);
    guest.enable(s_context(7), 127);
    guest.plic.raise(127);
    CHECK(guest.plic.signals(7));
    CHECK(guest.claim(s_context(7)) == 127);
    CHECK(guest.read(layout::threshold(16)) == 0);  // context 16 does not exist
}

TEST_CASE("equal priorities in different words: the lowest id wins, in every word") {
    Guest guest(127, 1);
    const std::uint32_t s = s_context(0);
    // One source near each end of every word, all with the same priority.
    const std::uint32_t sources[] = {127, 96, 95, 64, 63, 32, 31, 1};
    for (std::uint32_t source : sources) {
        guest.set_priority(source, 3);
        guest.enable(s, source);
        guest.plic.raise(source);
    }
    CHECK(guest.plic.signals(0));
    for (std::uint32_t expected : {1U, 31U, 32U, 63U, 64U, 95U, 96U, 127U}) {
        CAPTURE(expected);
        CHECK(guest.plic.signals(0));
        CHECK(guest.claim(s) == expected);
    }
    CHECK_FALSE(guest.plic.signals(0));
    CHECK(guest.claim(s) == 0);
    // A higher priority in a later word beats lower ids in earlier words.
    for (std::uint32_t source : sources) {
        guest.complete(s, source);
        guest.plic.raise(source);
    }
    guest.set_priority(96, 4);
    guest.set_priority(127, 4);
    CHECK(guest.claim(s) == 96);
    CHECK(guest.claim(s) == 127);
    CHECK(guest.claim(s) == 1);
}

TEST_CASE("source 127, in the last bit of the last word") {
    Guest guest(127, 2);
    const std::uint32_t s1 = s_context(1);
    guest.set_priority(127, 1);
    guest.enable(s1, 127);
    CHECK(guest.read(layout::enable(s1, 3)) == 0x80000000U);
    guest.plic.raise(127);
    CHECK(guest.read(layout::pending(3)) == 0x80000000U);
    CHECK_FALSE(guest.plic.signals(0));
    CHECK(guest.plic.signals(1));
    guest.set_threshold(s1, 1);  // priority 1 is not above it
    CHECK_FALSE(guest.plic.signals(1));
    CHECK(guest.claim(s1) == 0);
    guest.set_threshold(s1, 0);
    CHECK(guest.claim(s1) == 127);
    CHECK_FALSE(guest.plic.signals(1));
    guest.complete(s1, 127);
    CHECK(members(guest.plic.take_completed()) == std::vector<std::uint32_t>{127});
}

TEST_CASE("the scan skips ineligible sources wherever they are") {
    Guest guest(127, 1);
    const std::uint32_t s = s_context(0);
    // Pending everywhere, but only some enabled; priority 0 and priorities at
    // the threshold in between.
    for (std::uint32_t source = 1; source <= 127; ++source) {
        guest.plic.raise(source);
        guest.set_priority(source, source % 3);  // 0, 1 or 2
    }
    guest.set_threshold(s, 1);  // only priority 2 counts: sources 2, 5, 8, ...
    for (std::uint32_t source : {3U, 6U, 33U, 66U, 99U, 126U}) guest.enable(s, source);
    CHECK_FALSE(guest.plic.signals(0));  // enabled ones all have priority 0
    CHECK(guest.claim(s) == 0);
    for (std::uint32_t source : {34U, 64U, 100U, 127U}) guest.enable(s, source);  // priority 1
    CHECK_FALSE(guest.plic.signals(0));
    guest.enable(s, 98);  // priority 2, in word 3
    guest.enable(s, 125);
    CHECK(guest.plic.signals(0));
    CHECK(guest.claim(s) == 98);
    CHECK(guest.claim(s) == 125);
    CHECK(guest.claim(s) == 0);
    guest.set_threshold(s, 0);
    CHECK(guest.claim(s) == 34);  // priority 1 now counts, lowest id first
    // Priority 7 is the highest there is: it wins from anywhere.
    guest.set_priority(127, 7);
    guest.set_priority(64, 6);
    CHECK(guest.claim(s) == 127);
    CHECK(guest.claim(s) == 64);
    CHECK(guest.claim(s) == 100);
    CHECK(guest.claim(s) == 0);
}

TEST_CASE("SourceSet visits exactly its members, in increasing order") {
    SourceSet set;
    CHECK(members(set).empty());
    const std::vector<std::uint32_t> all = {0, 1, 30, 31, 32, 33, 63, 64, 65, 95, 96, 126, 127};
    for (std::uint32_t source : all) set.insert(source);
    set.insert(128);  // out of range: ignored
    CHECK(members(set) == all);
    set.set_word(2, 0xffffffff);
    std::vector<std::uint32_t> expected = {0, 1, 30, 31, 32, 33, 63};
    for (std::uint32_t source = 64; source < 96; ++source) expected.push_back(source);
    for (std::uint32_t source : {96U, 126U, 127U}) expected.push_back(source);
    CHECK(members(set) == expected);
    // Every single member on its own.
    for (std::uint32_t source = 0; source < 128; ++source) {
        CAPTURE(source);
        SourceSet one;
        one.insert(source);
        CHECK(members(one) == std::vector<std::uint32_t>{source});
    }
}

TEST_CASE("SourceSet::for_each sees changes a visit makes to the set") {
    // As a bit-by-bit walk would: members erased ahead are skipped, members
    // inserted ahead are visited, members inserted behind are not.
    SourceSet set;
    for (std::uint32_t source : {2U, 5U, 9U, 40U, 127U}) set.insert(source);
    std::vector<std::uint32_t> visited;
    set.for_each([&](std::uint32_t source) {
        visited.push_back(source);
        if (source == 2) {
            set.erase(5);    // ahead, same word
            set.insert(7);   // ahead, same word
            set.insert(1);   // behind
            set.erase(40);   // ahead, next word
            set.insert(41);  // ahead, next word
        }
        if (source == 41) set.insert(31);  // behind, in an earlier word
    });
    CHECK(visited == std::vector<std::uint32_t>{2, 7, 9, 41, 127});
}
