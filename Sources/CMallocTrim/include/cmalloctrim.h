#ifndef CMALLOCTRIM_H
#define CMALLOCTRIM_H

/// Gives the whole free pages of every malloc arena back to the system (glibc's `malloc_trim(0)`);
/// does nothing where malloc is not glibc's.
void siglog_release_free_heap_pages(void);

#endif
