#include "sbi_fuzz.hpp"

#include "console.hpp"
#include "operands.hpp"

namespace trapfuzz {
namespace {

using guest::hex;
using guest::Out;

constexpr std::uint64_t kBase = 0x10, kTime = 0x54494D45, kIpi = 0x735049, kRfence = 0x52464E43,
                        kHsm = 0x48534D, kSrst = 0x53525354, kPmu = 0x504D55, kDbcn = 0x4442434E,
                        kSusp = 0x53555350, kCppc = 0x43505043, kNacl = 0x4E41434C,
                        kSta = 0x535441, kFwft = 0x46574654, kTessera = 0x0A545352;
constexpr std::uint64_t kLegacyPutchar = 1, kLegacyGetchar = 2, kLegacyShutdown = 8;
constexpr std::uint64_t kLegacyEnd = 0x10;  // EIDs 0x00-0x0F are the legacy extensions
constexpr std::int64_t kNotSupported = -2, kLowestError = -9;  // SBI 2.0: SUCCESS .. NO_SHMEM

constexpr std::uint64_t kKnownEids[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, kBase, kTime, kIpi,
                                        kRfence, kHsm, kSrst, kPmu, kDbcn, kSusp, kCppc,
                                        kNacl, kSta, kFwft, kTessera};
// What a partition is most likely to call: the implemented extensions.
constexpr std::uint64_t kImplementedEids[] = {kBase, kTime, kIpi, kRfence, kHsm, kSrst,
                                              kDbcn, kTessera, kLegacyPutchar, kLegacyGetchar};
constexpr std::uint64_t kSpecialArgs[] = {1, 3, 0xff, ~0ULL, 1ULL << 63, 0xffffffff,
                                          0x80000000, 0x100000000, 0xe0000000, 0xf0000000};

bool legacy(std::uint64_t eid) { return eid < kLegacyEnd; }

std::uint64_t random_eid(Prng& rng) {
    const std::uint64_t kind = rng.below(100);
    if (kind < 60) return rng.pick(kImplementedEids);
    if (kind < 75) return rng.pick(kKnownEids);
    if (kind < 85) return static_cast<std::uint64_t>(static_cast<std::int32_t>(rng.next()));
    if (kind < 90) return rng.next();
    if (kind < 95) return rng.pick(kKnownEids) | rng.next() << 32;  // garbage upper half
    // The experimental, vendor and firmware-specific ranges.
    constexpr std::uint64_t kRanges[] = {0x08000000, 0x09000000, 0x0a000000};
    return rng.pick(kRanges) + rng.below(1ULL << 24);
}

std::uint64_t random_fid(Prng& rng) {
    const std::uint64_t kind = rng.below(100);
    if (kind < 60) return rng.below(8);
    if (kind < 80) return rng.below(32);
    if (kind < 90) return static_cast<std::uint64_t>(static_cast<std::int32_t>(rng.next()));
    return rng.next();
}

std::uint64_t random_arg(Prng& rng, const Layout& layout) {
    switch (rng.below(10)) {
        case 0: return 0;
        case 1: return rng.below(4);  // hart ids, types, reasons
        case 2: return rng.pick(kSpecialArgs);
        case 3: return layout.middle - kWindow + rng.below(2 * kWindow);  // the arena
        case 4: return layout.ram_base + rng.below(layout.image_start - layout.ram_base);
        case 5: return 1 + rng.below(64);  // a short length
        case 6: {
            const std::uint64_t lengths[] = {4096, layout.image_start - layout.ram_base,
                                             layout.ram_end - layout.ram_base, ~0ULL};
            return rng.pick(lengths);
        }
        case 7: return layout.image_start + 4 * rng.below((layout.image_end - layout.image_start) / 4);
        default: return rng.next();
    }
}

// [start, end) clipped at 2^64.
bool overlaps(std::uint64_t start, std::uint64_t length, std::uint64_t low, std::uint64_t high) {
    const std::uint64_t end = start + length < start ? ~0ULL : start + length;
    return start < high && end > low;
}

bool inside(std::uint64_t start, std::uint64_t length, std::uint64_t low, std::uint64_t high) {
    return start >= low && start <= high && length <= high - start;
}

}  // namespace

int SbiFuzzer::probed(std::uint64_t eid) const {
    for (unsigned i = 0; i < known_count_; ++i)
        if (known_eid_[i] == eid) return known_present_[i] ? 1 : 0;
    return -1;
}

void SbiFuzzer::fail(std::uint64_t op, const Call& call, const char* what, std::uint64_t got) {
    if (!counters_.failure()) return;
    Out() << "\ntrapfuzz: FAIL op " << op << " SBI eid " << hex(call.eid) << " fid " << hex(call.fid)
          << " args " << hex(call.arg[0]) << " " << hex(call.arg[1]) << " " << hex(call.arg[2])
          << ": " << what << " (" << hex(got) << ")\n";
}

SbiFuzzer::Result SbiFuzzer::make(Prng& rng, const Call& call, std::uint64_t op) {
    std::uint64_t regs[32];
    regs[0] = 0;
    for (unsigned i = 1; i < 32; ++i) regs[i] = rng.next();
    for (unsigned i = 0; i < 6; ++i) regs[10 + i] = call.arg[i];
    regs[16] = call.fid;
    regs[17] = call.eid;
    ++counters_.sbi_calls;
    const Outcome outcome = runner_.run_sbi_stub(regs);
    Result result;
    if (outcome.trapped) {
        counters_.count_trap(outcome.scause);
        fail(op, call, "the ecall trapped, scause", outcome.scause);
        return result;
    }
    if (trapfuzz_resume.resumed) {
        result.resumed = true;
        if (trapfuzz_resume.a0 != 0) fail(op, call, "resumed with a0 not the hart id", trapfuzz_resume.a0);
        if (trapfuzz_resume.a1 != call.arg[2]) fail(op, call, "resumed with a1 not opaque", trapfuzz_resume.a1);
        return result;
    }
    result.returned = true;
    result.error = static_cast<std::int64_t>(trapfuzz_after[10]);
    result.value = trapfuzz_after[11];
    for (unsigned i = 1; i < 32; ++i) {
        if (i == 10 || (i == 11 && !legacy(call.eid))) continue;
        if (trapfuzz_after[i] != regs[i]) {
            if (counters_.failure())
                Out() << "\ntrapfuzz: FAIL op " << op << " SBI eid " << hex(call.eid) << " fid "
                      << hex(call.fid) << ": register x" << i << " changed from " << hex(regs[i])
                      << " to " << hex(trapfuzz_after[i]) << "\n";
            break;
        }
    }
    return result;
}

void SbiFuzzer::probe_known(Prng& rng) {
    for (std::uint64_t eid : kKnownEids) {
        const Call call{kBase, 3, {eid, 0, 0, 0, 0, 0}};
        const Result result = make(rng, call, 0);
        known_eid_[known_count_] = eid;
        known_present_[known_count_] = result.returned && result.error == 0 && result.value != 0;
        ++known_count_;
    }
    // Tessera implements these; everything else of the list is absent.
    Out out;
    out << "trapfuzz: extensions present:";
    for (unsigned i = 0; i < known_count_; ++i)
        if (known_present_[i]) out << " " << hex(known_eid_[i]);
    out << "\n";
}

bool SbiFuzzer::skipped(const Call& call) const {
    if (call.eid == kSrst && call.fid == 0 && call.arg[0] <= 2) {
        const std::uint64_t reason = call.arg[1];
        return reason <= 1 || (reason >= 0xe0000000 && reason <= 0xffffffff);
    }
    if (call.eid == kHsm && call.fid == 1) return true;  // hart_stop of the only hart
    return call.eid == kLegacyShutdown;
}

void SbiFuzzer::make_harmless(Call& call) const {
    // A non-retentive suspend (type 0x80000000 or a platform one above it)
    // with a resume address in RAM would resume there.
    if (call.eid == kHsm && call.fid == 3 && call.arg[0] >= 0x80000000 &&
        call.arg[0] <= 0xffffffff && call.arg[1] >= layout_.ram_base && call.arg[1] < layout_.ram_end)
        call.arg[1] = reinterpret_cast<std::uintptr_t>(&trapfuzz_resume_entry);
    // DBCN write/read buffers stay in the zeroed RAM below the image or in the arena.
    if (call.eid == kDbcn && call.fid <= 1 && call.arg[2] == 0 && call.arg[0] != 0 &&
        overlaps(call.arg[1], call.arg[0], layout_.ram_base, layout_.ram_end) &&
        !inside(call.arg[1], call.arg[0], layout_.ram_base, layout_.image_start) &&
        !inside(call.arg[1], call.arg[0], layout_.arena, layout_.arena + kArenaSize)) {
        call.arg[1] = layout_.arena + call.arg[1] % kArenaSize;
        const std::uint64_t room = layout_.arena + kArenaSize - call.arg[1];
        if (call.arg[0] > room) call.arg[0] = room;
    }
}

void SbiFuzzer::fuzz_one(Prng& rng, std::uint64_t op) {
    Call call{random_eid(rng), random_fid(rng), {}};
    for (std::uint64_t& arg : call.arg) arg = random_arg(rng, layout_);
    if (skipped(call)) {
        ++counters_.sbi_skipped;
        return;
    }
    make_harmless(call);
    int present = probed(call.eid);
    if (present < 0) {
        const Result probe = make(rng, Call{kBase, 3, {call.eid, 0, 0, 0, 0, 0}}, op);
        if (!probe.returned) return;
        present = probe.value != 0 ? 1 : 0;
    }
    const Result result = make(rng, call, op);
    if (!result.returned) return;
    const std::uint64_t got = static_cast<std::uint64_t>(result.error);
    if (present == 0 && result.error != kNotSupported) {
        fail(op, call, "an extension probed absent did not answer NOT_SUPPORTED", got);
    } else if (legacy(call.eid)) {
        if (call.eid == kLegacyPutchar && result.error != 0) fail(op, call, "legacy putchar returned", got);
        if (call.eid == kLegacyGetchar && (result.error < -1 || result.error > 255))
            fail(op, call, "legacy getchar returned", got);
    } else if (result.error > 0 || result.error < kLowestError) {
        fail(op, call, "an error code SBI 2.0 doesn't define", got);
    } else if (call.eid == kBase && call.fid <= 6 && result.error != 0) {
        fail(op, call, "a BASE function failed", got);
    } else if (call.eid == kDbcn && call.fid <= 1 && result.error == 0 &&
               result.value > call.arg[0]) {
        fail(op, call, "DBCN moved more bytes than asked for", result.value);
    } else if (call.eid == kHsm && call.fid == 2 && call.arg[0] == 0 &&
               (result.error != 0 || result.value != 0)) {
        fail(op, call, "HSM status of the running hart is not STARTED", result.value);
    }
}

}  // namespace trapfuzz
