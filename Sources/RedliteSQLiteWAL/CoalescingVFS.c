// A VFS shim that coalesces the writes SQLite makes to WAL files.
//
// Why: SQLite appends a transaction to the WAL as one frame per dirty page, and writes each frame
// with two system calls (its 24-byte header, then the page). Redlite's pages are 1 KiB (a Redis
// workload dirties many small, scattered rows), so a group commit of a few hundred writes costs
// hundreds of `pwrite`s, each a trip through the kernel and the file's page cache; profiles of the
// server's writer thread showed them as the largest single cost of a pipelined SET. Here the
// frames of a transaction are gathered in memory and written with as few calls as the default VFS allows.
//
// When the bytes reach the file: SQLite marks the last frame of a transaction (the commit frame)
// with the database size in its header (bytes 4-7, never 0 for a commit). When the page of a
// commit frame has been appended, the buffer is written before the `xWrite` call returns. The
// commit is published in the WAL index only after that call returned (sqlite3WalFrames), so no
// other connection can read a frame that is not in the file, and a failed write fails the commit
// the way a failed `pwrite` always did. Any other operation on the WAL file writes the buffer
// first, so SQLite never sees a file that differs from what it wrote.

#include "RedliteSQLiteWAL.h"

#include <pthread.h>
#include <sqlite_nio_sqlite3.h>
#include <stdatomic.h>
#include <string.h>

// The unix VFS writes at most 128 KiB - 1 bytes per call (it masks the length with 0x1ffff), so a
// flush stays below that: 120 KiB is 117 frames of 1 KiB pages, or one of 64 KiB.
enum { bufferCapacity = 120 * 1024, frameHeaderSize = 24, walHeaderSize = 32 };

typedef struct WALFile {
    sqlite3_file base;
    /// The default VFS's file, in the same allocation (after this struct).
    sqlite3_file *real;
    unsigned char *buffer;
    sqlite3_int64 bufferOffset;
    int bufferLength;
    /// The last frame header announced a commit frame: its page is the transaction's last write.
    int commitFramePending;
} WALFile;

static sqlite3_vfs *defaultVFS;
static sqlite3_vfs coalescingVFS;
static int installResult = SQLITE_OK;
static pthread_once_t installOnce = PTHREAD_ONCE_INIT;
static atomic_llong writesReceived;
static atomic_llong writesMade;

static size_t roundUp8(size_t size) { return (size + 7) & ~(size_t)7; }

static int flushBuffer(WALFile *file) {
    if (file->bufferLength == 0) return SQLITE_OK;
    int length = file->bufferLength;
    file->bufferLength = 0;
    atomic_fetch_add_explicit(&writesMade, 1, memory_order_relaxed);
    return file->real->pMethods->xWrite(file->real, file->buffer, length, file->bufferOffset);
}

static int walClose(sqlite3_file *base) {
    WALFile *file = (WALFile *)base;
    int flushed = flushBuffer(file);
    int closed = file->real->pMethods->xClose(file->real);
    sqlite_nio_sqlite3_free(file->buffer);
    file->buffer = NULL;
    return flushed != SQLITE_OK ? flushed : closed;
}

static int walRead(sqlite3_file *base, void *data, int amount, sqlite3_int64 offset) {
    WALFile *file = (WALFile *)base;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int walWrite(sqlite3_file *base, const void *data, int amount, sqlite3_int64 offset) {
    WALFile *file = (WALFile *)base;
    atomic_fetch_add_explicit(&writesReceived, 1, memory_order_relaxed);
    if (amount == frameHeaderSize && offset >= walHeaderSize) {
        const unsigned char *header = data;
        file->commitFramePending = (header[4] | header[5] | header[6] | header[7]) != 0;
    }
    int endsTransaction = file->commitFramePending && amount != frameHeaderSize;
    if (file->bufferLength > 0
        && (offset != file->bufferOffset + file->bufferLength || file->bufferLength + amount > bufferCapacity)) {
        int rc = flushBuffer(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (file->buffer == NULL && amount < bufferCapacity) {
        file->buffer = sqlite_nio_sqlite3_malloc(bufferCapacity);
    }
    if (file->buffer == NULL || amount >= bufferCapacity) {
        // No memory for a buffer, or a write larger than it: straight to the file.
        atomic_fetch_add_explicit(&writesMade, 1, memory_order_relaxed);
        if (endsTransaction) file->commitFramePending = 0;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (file->bufferLength == 0) file->bufferOffset = offset;
    memcpy(file->buffer + file->bufferLength, data, (size_t)amount);
    file->bufferLength += amount;
    if (endsTransaction) {
        file->commitFramePending = 0;
        return flushBuffer(file);
    }
    return SQLITE_OK;
}

static int walTruncate(sqlite3_file *base, sqlite3_int64 size) {
    WALFile *file = (WALFile *)base;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xTruncate(file->real, size);
}

static int walSync(sqlite3_file *base, int flags) {
    WALFile *file = (WALFile *)base;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xSync(file->real, flags);
}

static int walFileSize(sqlite3_file *base, sqlite3_int64 *size) {
    WALFile *file = (WALFile *)base;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileSize(file->real, size);
}

static int walLock(sqlite3_file *base, int level) {
    WALFile *file = (WALFile *)base;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xLock(file->real, level);
}

static int walUnlock(sqlite3_file *base, int level) {
    WALFile *file = (WALFile *)base;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int walCheckReservedLock(sqlite3_file *base, int *result) {
    WALFile *file = (WALFile *)base;
    return file->real->pMethods->xCheckReservedLock(file->real, result);
}

static int walFileControl(sqlite3_file *base, int op, void *argument) {
    WALFile *file = (WALFile *)base;
    int rc = flushBuffer(file);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int walSectorSize(sqlite3_file *base) {
    WALFile *file = (WALFile *)base;
    return file->real->pMethods->xSectorSize(file->real);
}

static int walDeviceCharacteristics(sqlite3_file *base) {
    WALFile *file = (WALFile *)base;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

// Version 1: a WAL file is read and written, never memory-mapped or used for shared memory (the
// WAL index belongs to the database file, which stays the default VFS's own).
static const sqlite3_io_methods walMethods = {
    1,
    walClose,
    walRead,
    walWrite,
    walTruncate,
    walSync,
    walFileSize,
    walLock,
    walUnlock,
    walCheckReservedLock,
    walFileControl,
    walSectorSize,
    walDeviceCharacteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static int coalescingOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *base, int flags, int *outFlags) {
    (void)vfs;
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        // Not a WAL file: the default VFS's file, in place, with its own methods.
        return defaultVFS->xOpen(defaultVFS, name, base, flags, outFlags);
    }
    WALFile *file = (WALFile *)base;
    memset(file, 0, sizeof(WALFile));
    file->real = (sqlite3_file *)((char *)base + roundUp8(sizeof(WALFile)));
    int rc = defaultVFS->xOpen(defaultVFS, name, file->real, flags, outFlags);
    // SQLite calls xClose on a failed open only when pMethods is set; the real file cleans up itself.
    file->base.pMethods = rc == SQLITE_OK && file->real->pMethods != NULL ? &walMethods : NULL;
    return rc;
}

static void install(void) {
    defaultVFS = sqlite_nio_sqlite3_vfs_find(NULL);
    if (defaultVFS == NULL) {
        installResult = SQLITE_ERROR;
        return;
    }
    coalescingVFS = *defaultVFS;
    coalescingVFS.zName = "redlite-wal-coalescing";
    coalescingVFS.pNext = NULL;
    coalescingVFS.szOsFile = (int)(roundUp8(sizeof(WALFile)) + (size_t)defaultVFS->szOsFile);
    coalescingVFS.xOpen = coalescingOpen;
    installResult = sqlite_nio_sqlite3_vfs_register(&coalescingVFS, 1);
}

int redlite_sqlite_wal_coalescing_install(void) {
    pthread_once(&installOnce, install);
    return installResult;
}

void redlite_sqlite_wal_coalescing_counters(long long *received, long long *made) {
    *received = atomic_load_explicit(&writesReceived, memory_order_relaxed);
    *made = atomic_load_explicit(&writesMade, memory_order_relaxed);
}
