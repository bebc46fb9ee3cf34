#ifndef CPREFETCH_H
#define CPREFETCH_H

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
/// Makes the pages of the `count` bytes at `start` present and writable, as a write to each would,
/// without changing a byte of them (`madvise(MADV_POPULATE_WRITE)`, Linux 5.14 and later), so the
/// thread that writes them later takes no page faults there. Only the whole pages inside the range
/// are touched. A hint: returns 0 when done, -1 when the kernel refused (an older kernel, memory
/// unmapped meanwhile) — the pages then fault in when written, as without it.
static inline int siglog_populate_write(void *start, unsigned long count) {
    const uintptr_t page = 4096;
    uintptr_t first = ((uintptr_t)start + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)start + count) & ~(page - 1);
    if (end <= first) return 0;
    return madvise((void *)first, end - first, MADV_POPULATE_WRITE);
}

/// Gives the calling thread (not its process) the lowest scheduling priority (nice 19), so it runs
/// only on time the process's other threads leave. Returns 0, or -1 where refused.
static inline int siglog_lower_thread_priority(void) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}

#endif

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

/// Makes the pages of the `count` bytes at `start` present and writable, as a write to each would,
/// without changing a byte of them (`madvise(MADV_POPULATE_WRITE)`, Linux 5.14 and later), so the
/// thread that writes them later takes no page faults there. Only the whole pages inside the range
/// are touched. A hint: returns 0 when done, -1 when the kernel refused (an older kernel, memory
/// unmapped meanwhile) — the pages then fault in when written, as without it.
static inline int siglog_populate_write(void *start, unsigned long count) {
    const uintptr_t page = 4096;
    uintptr_t first = ((uintptr_t)start + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)start + count) & ~(page - 1);
    if (end <= first) return 0;
    return madvise((void *)first, end - first, MADV_POPULATE_WRITE);
}

/// Gives the calling thread (not its process) the lowest scheduling priority (nice 19), so it runs
/// only on time the process's other threads leave. Returns 0, or -1 where refused.
static inline int siglog_lower_thread_priority(void) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}

#endif
