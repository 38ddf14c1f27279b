#ifndef REDLITE_SQLITE_WAL_H
#define REDLITE_SQLITE_WAL_H

#include <sqlite_nio_sqlite3.h>
#include <stdint.h>

/// Makes the write-coalescing VFS the process's default SQLite VFS (once; later calls only return
/// the first result). Returns SQLITE_OK (0) or an SQLite error code.
///
/// The VFS is the default one with a single change: the frames a connection appends to a WAL file
/// are collected in memory and written with one `pwrite` per transaction (or per 120 KiB) instead
/// of two per page (SQLite writes each frame's 24-byte header and its page separately). The bytes
/// reach the file before the transaction's commit frame write returns, so before the commit is
/// published in the WAL index, before any other connection can read them, and before SQLite
/// reports the commit to its caller; a failed write fails the commit. Every other operation on a
/// WAL file (read, sync, truncate, size, close, locks, file controls) writes the buffered bytes
/// first, and files other than WAL files are the default VFS's own.
int redlite_sqlite_wal_coalescing_install(void);

/// Counters of the coalescing VFS since the process started: frame writes received and `pwrite`
/// calls made for them (tests and benchmarks read them).
void redlite_sqlite_wal_coalescing_counters(long long *writesReceived, long long *writesMade);

/// Process-wide SQLite configuration made once, before SQLite initializes (call it before any
/// connection opens): memory statistics off, so allocations take no global mutex, and the page
/// cache wrapper below installed. Returns
/// SQLITE_OK, or SQLITE_MISUSE when SQLite had already been initialized (it then keeps its
/// defaults, which are correct, only slower when several threads use SQLite at once).
int redlite_sqlite_configure_process(void);

/// Installs SQLite's default page cache behind a wrapper that skips truncations with nothing to
/// remove (called by `redlite_sqlite_configure_process`; must run before SQLite initializes).
///
/// At every commit the pager truncates its cache to the database size, and the default cache scans
/// its whole hash table whenever it has held a page above that size since its last truncation,
/// which B-tree balancing makes true after almost every split (it renumbers pages through the
/// pending-byte page). The wrapper tracks an upper bound of the page numbers held and passes a
/// truncation on only when a page at or above its limit may be held.
int redlite_sqlite_page_cache_install(void);

/// Truncations the page cache wrapper skipped (nothing to remove), how many of those the default
/// cache would have answered with a scan of all its pages, and truncations passed on, since the
/// process started (tests and benchmarks read them).
void redlite_sqlite_page_cache_counters(long long *skipped, long long *scansAvoided, long long *passedOn);

/// The shared-memory WAL index of `db`'s main database as the connection has mapped it, or NULL
/// (not in WAL mode, or no read transaction has mapped it yet). Valid until the connection closes.
const volatile void *redlite_sqlite_wal_index(sqlite3 *db);

/// A value that changes whenever a commit (by any connection, in any process) or a WAL restart
/// may have become visible in the WAL index `index` (from `redlite_sqlite_wal_index`), and when a
/// checkpoint has copied frames back into the database: its change counter, frame count and
/// backfill count. Read without a lock: a racing read may report a change that did not happen,
/// never miss one that completed before the call.
uint64_t redlite_sqlite_wal_index_change(const volatile void *index);

#endif
