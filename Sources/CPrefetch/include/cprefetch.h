#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks the CPU to bring the cache line at `address` in ahead of a read, without waiting for it:
/// Swift has no prefetch of its own. A hint only: `address` need not be valid.
static inline void siglog_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
