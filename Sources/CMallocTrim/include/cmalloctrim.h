#ifndef CMALLOCTRIM_H
#define CMALLOCTRIM_H

#include <stddef.h>

/// Gives the whole free pages of every malloc arena back to the system (glibc's `malloc_trim(0)`);
/// does nothing where malloc is not glibc's.
void siglog_release_free_heap_pages(void);

/// Takes up to `bytes` (at most 48 MiB) of fresh memory into the calling thread's malloc arena, gives
/// it back to the arena at once, and has a thread of its own fault its pages in
/// (`MADV_POPULATE_WRITE`): the calling thread's next allocations land on pages that are already
/// there instead of taking a page fault on each first touch. Sets glibc's mmap and trim thresholds to
/// the ceilings its own dynamic thresholds reach (32 and 64 MiB), so the memory stays in the arena.
/// Nothing is read or written through the memory: the pages are only made present, so the arena may
/// hand them out while the other thread works. Returns the bytes handed to that thread; with `wait`
/// nonzero, it returns once the thread is done, with the bytes it made present. Returns 0 where malloc
/// is not glibc's or the kernel lacks `MADV_POPULATE_WRITE` (Linux before 5.14).
size_t siglog_warm_heap(size_t bytes, int wait);

#endif
