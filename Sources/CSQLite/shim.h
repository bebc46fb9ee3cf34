#include <sqlite3.h>

// SQLITE_STATIC and SQLITE_TRANSIENT are casts of 0 and -1 to a function pointer, which Swift
// cannot import as constants.

/// The destructor that tells SQLite a bound value outlives the statement's step: no copy is made.
static inline sqlite3_destructor_type csqlite_static(void) { return SQLITE_STATIC; }

/// The destructor that tells SQLite to copy a bound value before the bind call returns.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// Before any other SQLite call: no memory-use statistics (they take a global mutex on every
/// allocation) and multi-thread mode (a connection used by one thread at a time needs no mutex of
/// its own). Returns SQLITE_OK or the first error.
static inline int csqlite_configure_single_user(void) {
    int code = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (code != SQLITE_OK) return code;
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}
