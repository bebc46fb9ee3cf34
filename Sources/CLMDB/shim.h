#include <lmdb.h>
#include <sys/syscall.h>
#include <unistd.h>

/// Starts the write-out of the file's dirty pages without waiting for it
/// (`sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE)`; called through `syscall`, which needs no
/// `_GNU_SOURCE`). Returns 0 or -1 with `errno` set.
static inline int siglog_start_writeback(int fd) {
    return (int)syscall(SYS_sync_file_range, fd, (long)0, (long)0, 2u /* SYNC_FILE_RANGE_WRITE */);
}
