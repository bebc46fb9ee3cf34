#define _GNU_SOURCE  // gettid
#include "cmalloctrim.h"

#include <stdlib.h>  // defines __GLIBC__ where the C library is glibc
#if defined(__GLIBC__)
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

void siglog_release_free_heap_pages(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)

// Blocks below the mmap threshold come from the arena's heap; three of them stay below the trim
// threshold once freed, so the arena keeps them.
enum { warmBlockBytes = 16 << 20, warmMaxBlocks = 3 };

struct siglog_warmup {
    int count;
    int detached;
    uintptr_t start[warmMaxBlocks];
    size_t length[warmMaxBlocks];
    size_t populated;
};

// Pages made present per `madvise` call: the call holds the address space's lock for reading, and
// the other threads' `mmap`, `munmap` and `mprotect` wait for it.
enum { warmStepBytes = 1 << 20 };

static void *siglog_populate(void *argument) {
    struct siglog_warmup *warmup = argument;
    // Only the time the other threads leave: the thread that allocates must not lose its core to this one.
    setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
    for (int i = 0; i < warmup->count; i++) {
        for (size_t done = 0; done < warmup->length[i];) {
            size_t step = warmup->length[i] - done < warmStepBytes ? warmup->length[i] - done : warmStepBytes;
            if (madvise((void *)(warmup->start[i] + done), step, MADV_POPULATE_WRITE) == 0) warmup->populated += step;
            done += step;
        }
    }
    if (warmup->detached) free(warmup);
    return NULL;
}

size_t siglog_warm_heap(size_t bytes, int wait) {
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) return 0;
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    struct siglog_warmup *warmup = calloc(1, sizeof *warmup);
    if (warmup == NULL) return 0;
    size_t wanted = (bytes + warmBlockBytes - 1) / warmBlockBytes;
    int blocks = wanted < warmMaxBlocks ? (int)wanted : warmMaxBlocks;
    void *taken[warmMaxBlocks];
    size_t handed = 0;
    for (int i = 0; i < blocks; i++) {
        taken[i] = malloc(warmBlockBytes);
        if (taken[i] == NULL) break;
        uintptr_t start = ((uintptr_t)taken[i] + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
        uintptr_t end = ((uintptr_t)taken[i] + warmBlockBytes) & ~((uintptr_t)page - 1);
        warmup->start[warmup->count] = start;
        warmup->length[warmup->count] = end - start;
        handed += end - start;
        warmup->count++;
    }
    for (int i = 0; i < warmup->count; i++) free(taken[i]);
    warmup->detached = !wait;
    pthread_t thread;
    if (warmup->count == 0 || pthread_create(&thread, NULL, siglog_populate, warmup) != 0) {
        free(warmup);
        return 0;
    }
    if (!wait) {
        pthread_detach(thread);  // it frees `warmup` when done
        return handed;
    }
    pthread_join(thread, NULL);
    size_t populated = warmup->populated;
    free(warmup);
    return populated;
}

#else

size_t siglog_warm_heap(size_t bytes, int wait) {
    (void)bytes;
    (void)wait;
    return 0;
}

#endif
