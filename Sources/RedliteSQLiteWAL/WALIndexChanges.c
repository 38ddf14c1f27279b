// Telling, without a read transaction, whether a database may have changed since a reader's
// snapshot began: the change counter in the header of the database's WAL index.
//
// Why: a server's event loop keeps one read transaction open across many reads while nothing is
// written. Writes made through this process's own writer are seen through the store's write
// sequence, but another process may write the same file, and the only way SQLite offers to notice
// is to end the read transaction and begin another, which costs file-lock system calls per check.
// Every commit, by any connection of any process, rewrites the WAL-index header in shared memory
// (walIndexWriteHdr) before it returns, and increments its change counter; a WAL restart rewrites it
// too. Comparing that counter and the WAL's frame count with their values at the snapshot's start
// tells a reader whether a commit may have become visible since; the count of frames a checkpoint
// has copied back tells it whether a fresh snapshot would read faster.
//
// The header's layout is SQLite's file format (https://sqlite.org/walformat.html, "The WAL-Index
// Header"): two copies of 48 bytes at the start of the shared memory; the writer updates the second
// copy first and the first copy last, so the first copy changes only once the commit is in place.
// A torn or racing read can only report a change that did not happen (the reader then renews its
// snapshot, which is always correct), never hide one that a client could already know of.

#include "RedliteSQLiteWAL.h"

#include <sqlite_nio_sqlite3.h>
#include <stddef.h>
#include <stdint.h>

// The WAL index is mapped in regions of 32 KiB (WALINDEX_PGSZ in SQLite's wal.c).
enum { walIndexRegionSize = 32768 };

const volatile void *redlite_sqlite_wal_index(sqlite3 *db) {
    sqlite3_file *file = NULL;
    if (sqlite_nio_sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == NULL) return NULL;
    if (file->pMethods == NULL || file->pMethods->iVersion < 2 || file->pMethods->xShmMap == NULL) return NULL;
    volatile void *region = NULL;
    // bExtend = 0: only an existing mapping is returned (the connection's own, made when its first
    // read transaction began); nothing is created or grown.
    if (file->pMethods->xShmMap(file, 0, walIndexRegionSize, 0, &region) != SQLITE_OK) return NULL;
    return region;
}

uint64_t redlite_sqlite_wal_index_change(const volatile void *index) {
    const volatile uint32_t *words = (const volatile uint32_t *)index;
    // The first header copy's iChange (bytes 8-11) and mxFrame (bytes 16-19), and nBackfill (bytes
    // 96-99, the start of the checkpoint information behind the two header copies). A commit or a
    // WAL restart moves iChange. A checkpoint moves only nBackfill, and a reader is told of it too:
    // a snapshot begun before frames were copied back looks every page up in the WAL's hash tables,
    // one begun after them reads those pages straight from the database file.
    uint32_t change = words[2], frames = words[4], backfilled = words[24];
    return ((uint64_t)change << 32) | (uint64_t)(frames ^ backfilled);
}
