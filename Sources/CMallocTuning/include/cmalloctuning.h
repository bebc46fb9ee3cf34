#ifndef CMALLOCTUNING_H
#define CMALLOCTUNING_H

/// Fixes glibc's mmap threshold at its default (128 KiB), which also turns off its dynamic raising
/// of the mmap and trim thresholds; does nothing where malloc is not glibc's.
void siglog_fix_malloc_thresholds(void);

#endif
