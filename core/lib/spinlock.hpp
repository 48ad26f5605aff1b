// A test-and-set spinlock on a 32-bit word (a native AMO on RV64).
#pragma once

#include <atomic>
#include <cstdint>

namespace tessera {

class SpinLock {
public:
    void lock() {
        while (busy_.exchange(1, std::memory_order_acquire) != 0) {
            while (busy_.load(std::memory_order_relaxed) != 0) {
            }
        }
    }
    void unlock() { busy_.store(0, std::memory_order_release); }

private:
    std::atomic<std::uint32_t> busy_{0};
};

class LockGuard {
public:
    explicit LockGuard(SpinLock& lock) : lock_(lock) { lock_.lock(); }
    ~LockGuard() { lock_.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    SpinLock& lock_;
};

}  // namespace tessera
