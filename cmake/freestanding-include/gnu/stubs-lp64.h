/*
 * Debian's riscv64 glibc headers only ship stubs for the lp64d ABI, but the
 * firmware is built for lp64 (soft-float: the hypervisor never touches the
 * FP registers, which belong to the guests). libstdc++'s header-only parts
 * include <gnu/stubs.h> through <features.h>; the stubs header only lists
 * glibc functions that are not implemented, and the firmware links no glibc,
 * so an empty list is correct here.
 */
