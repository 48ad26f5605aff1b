// A partition at run time: its generated specification, its slice of the
// stage-2 page-table pool and its lifecycle state.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <string_view>

#include "config/types.hpp"
#include "console/virtual_uart.hpp"
#include "irq/virtual_plic.hpp"
#include "lib/spinlock.hpp"
#include "mm/stage2.hpp"
#include "vcpu/vcpu_context.hpp"

namespace tessera {

// 32-bit so that atomics on it are native AMOs (no libatomic).
enum class PartitionState : std::uint32_t { Loaded, Running, Stopped, Failed };

// Emulated UARTs a partition may have (cfggen checks the limit).
inline constexpr std::size_t kMaxVirtualUarts = 2;

struct Partition {
    const cfg::PartitionSpec* spec = nullptr;
    std::span<mm::PageTable> stage2;  // root first (16 KiB aligned)
    std::uint32_t index = 0;          // also its console source index
    std::atomic<PartitionState> state{PartitionState::Loaded};

    // Emulated devices, all behind one lock (their exits are short), which
    // only partitions with several harts need (see DevicesGuard).
    SpinLock devices_lock;
    bool several_harts = false;
    irq::VirtualPlic plic;
    std::array<console::VirtualUart, kMaxVirtualUarts> uarts;
    // Bit v: the VSEIP level the virtual PLIC drove on virtual hart v when
    // it was last published (irq/passthrough.cpp's signal_virtual_plic).
    std::uint64_t vseip_published = 0;

    // Per passthrough interrupt (spec->irqs order): the physical PLIC
    // context it is enabled on, following the guest's enables (irq/
    // passthrough.hpp), and the context it was claimed on while the guest
    // serves it. kNoContext: none. Changed under devices_lock.
    static constexpr std::uint16_t kNoContext = 0xffff;
    std::array<std::uint16_t, cfg::kMaxPassthroughIrqs> irq_context{};
    std::array<std::uint16_t, cfg::kMaxPassthroughIrqs> irq_claimed{};

    // tessera,watchdog-ms in timebase ticks (0: none), and when it expires:
    // kicked from any of its harts, checked by the timer of virtual hart 0's.
    std::uint64_t watchdog_ticks = 0;
    std::atomic<std::uint64_t> watchdog_deadline{~0ULL};

    std::uint64_t hgatp() const;
};

static_assert(std::atomic<PartitionState>::is_always_lock_free);

// Builds the stage-2 tables and copies the image and DTB into the
// partition's RAM from the pristine embedded copies. False on a pool that
// doesn't match the tables (reported; the partition is not started).
bool partition_load(Partition& partition);

// Holds the partition's device lock while the emulated devices are used.
// A partition with one hart takes no lock: every access to its devices then
// comes from that hart, in HS-mode with interrupts off.
class DevicesGuard {
public:
    explicit DevicesGuard(Partition& partition)
        : lock_(partition.several_harts ? &partition.devices_lock : nullptr) {
        if (lock_ != nullptr) lock_->lock();
    }
    ~DevicesGuard() {
        if (lock_ != nullptr) lock_->unlock();
    }
    DevicesGuard(const DevicesGuard&) = delete;
    DevicesGuard& operator=(const DevicesGuard&) = delete;

private:
    SpinLock* lock_;
};

// Puts the emulated devices in their reset state.
void partition_reset_devices(Partition& partition);

// Marks the partition stopped (or failed) once, whoever calls first. When
// every partition has finished, the machine powers off with success only if
// none failed.
void partition_finish(Partition& partition, bool failed, std::string_view why);

// Stops the calling vCPU's partition: its other harts park, then this one.
// `failed` selects the exit status the hypervisor reports; when every
// partition has stopped, the machine powers off with success only if none
// failed. Never returns.
[[noreturn]] void partition_stop(VcpuContext& self, bool failed, std::string_view why);

// Restarts the calling vCPU's partition from its pristine embedded image and
// DTB: every hart parks, RAM is reloaded, devices reset, virtual hart 0
// starts at the entry point. Never returns.
[[noreturn]] void partition_restart(VcpuContext& self, std::string_view why);

// A fault that real hardware would make fatal for the guest (a double trap,
// an expired watchdog, an exit the hypervisor can't serve): stops or
// restarts the calling vCPU's partition, as its tessera,fault-policy says.
// The other partitions keep running. Never returns.
[[noreturn]] void partition_fault(VcpuContext& self, std::string_view why);

}  // namespace tessera
