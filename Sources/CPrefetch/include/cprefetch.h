#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks the CPU to bring the cache line at `address` in ahead of a read, without waiting for it:
/// Swift has no prefetch of its own. A hint only: `address` need not be valid.
static inline void siglog_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// `siglog_prefetch` of every cache line of the `count` bytes at `start` (none when `count` is 0):
/// a row or value read in full right after, which may start in the middle of a line.
static inline void siglog_prefetch_range(const void *start, unsigned long count) {
    if (count == 0) return;
    const char *first = (const char *)start;
    for (unsigned long offset = 0; offset < count; offset += 64) __builtin_prefetch(first + offset, 0, 3);
    __builtin_prefetch(first + count - 1, 0, 3);
}

#endif
