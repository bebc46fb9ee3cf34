// Hardware CRC-32C (SSE 4.2 CRC32 instruction), used by EventLog's checksum when the CPU has it.
// Compiled for every x86-64 CPU; only the one function is built for SSE 4.2, and it is called only
// after a run-time check, so the binary still runs (with the software table) on a CPU without it.
#include "ccrc32c.h"
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

int siglog_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
uint32_t siglog_crc32c_hardware(uint32_t state, const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t crc = state;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = _mm_crc32_u64(crc, word);
        p += 8;
        length -= 8;
    }
    uint32_t crc32 = (uint32_t)crc;
    while (length > 0) {
        crc32 = _mm_crc32_u8(crc32, *p++);
        length--;
    }
    return crc32;
}

#else

int siglog_crc32c_hardware_available(void) { return 0; }

uint32_t siglog_crc32c_hardware(uint32_t state, const void *data, size_t length) {
    (void)data;
    (void)length;
    return state;
}

#endif
