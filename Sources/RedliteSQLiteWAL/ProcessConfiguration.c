// Process-wide SQLite settings that must be made before SQLite initializes itself (the first
// connection or VFS lookup does that), and so from C: `sqlite3_config` is variadic.

#include "RedliteSQLiteWAL.h"

#include <pthread.h>
#include <sqlite_nio_sqlite3.h>

static pthread_once_t configureOnce = PTHREAD_ONCE_INIT;
static int configureResult = SQLITE_OK;

static void configure(void) {
    // Memory statistics (sqlite3_memory_used, the soft heap limit) make every SQLite allocation and
    // free take one process-wide mutex. Event-loop threads bind request bytes and step statements
    // on their own read connections at the same time, and perf showed them waking each other on
    // that mutex (futex calls on every few GETs). Nothing here reads those statistics.
    configureResult = sqlite_nio_sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // The default page cache behind a wrapper that skips commits' empty truncations (see
    // PageCacheTruncation.c).
    if (configureResult == SQLITE_OK) configureResult = redlite_sqlite_page_cache_install();
}

int redlite_sqlite_configure_process(void) {
    pthread_once(&configureOnce, configure);
    return configureResult;
}
