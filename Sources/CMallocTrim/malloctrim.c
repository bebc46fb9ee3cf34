#include "cmalloctrim.h"

#include <stdlib.h>  // defines __GLIBC__ where the C library is glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void siglog_release_free_heap_pages(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
