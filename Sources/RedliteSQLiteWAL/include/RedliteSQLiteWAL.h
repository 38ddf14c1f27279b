#ifndef REDLITE_SQLITE_WAL_H
#define REDLITE_SQLITE_WAL_H

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
/// connection opens): memory statistics off, so allocations take no global mutex. Returns
/// SQLITE_OK, or SQLITE_MISUSE when SQLite had already been initialized (it then keeps its
/// defaults, which are correct, only slower when several threads use SQLite at once).
int redlite_sqlite_configure_process(void);

#endif
