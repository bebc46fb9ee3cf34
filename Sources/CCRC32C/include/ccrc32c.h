#ifndef SIGLOG_CCRC32C_H
#define SIGLOG_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU has the SSE 4.2 CRC32 instruction (checked once, at run time).
int siglog_crc32c_hardware_available(void);

/// Continues a CRC-32C over `length` bytes with the CPU's CRC32 instruction. `state` is the raw
/// (already inverted) register value; call only when `siglog_crc32c_hardware_available()` is true.
uint32_t siglog_crc32c_hardware(uint32_t state, const void *data, size_t length);

#endif
