// SQLite's default page cache (pcache1) behind a thin wrapper that skips truncations with nothing
// to remove.
//
// Why: at the end of every write transaction the pager truncates its page cache to the database
// size. pcache1 decides whether that has work by the highest page number it has held since its last
// truncation, and B-tree balancing renumbers sibling pages through a temporary number, the page of
// the "pending byte" (1 GiB / page size + 1). So after nearly any transaction that split a page the
// highest number is that one, far above the database size, and pcache1 scans its whole hash table
// and every cached page to remove nothing. With 1 KiB pages that scan took 4–5 % of the writer's
// time in small group commits of 100,000 keys, and it grows with the cache: with 1,000,000 keys,
// 40 % (perf on the default pcache1, confirmed with a debugger: the pending-byte page's renumbering
// raises the highest key, the commit's truncation scans).
//
// The wrapper keeps its own upper bound of the page numbers the cache may hold (every page enters
// through a creating fetch or a renumbering, so it sees them all) and knows when the temporary
// number has been given up again. A truncation whose limit is above that bound cannot remove
// anything and is not passed on; every other call goes to pcache1 unchanged.

#include "RedliteSQLiteWAL.h"

#include <sqlite_nio_sqlite3.h>
#include <stdatomic.h>

/// SQLite's pending byte: the page holding it is never a database page (PENDING_BYTE in SQLite).
static const unsigned int pendingByte = 0x40000000u;

static sqlite3_pcache_methods2 defaultMethods;
static atomic_llong truncationsSkipped;
static atomic_llong scansAvoided;
static atomic_llong truncationsPassedOn;

typedef struct {
    sqlite3_pcache *inner;
    /// The page number of the pending byte for this cache's page size.
    unsigned int pendingPage;
    /// No page numbered above this, other than `pendingPage`, is in the cache.
    unsigned int highestKey;
    /// A page may be in the cache under `pendingPage` (it was renumbered to it and not back).
    int pendingPageHeld;
    /// The highest key the default cache would keep on its own (the highest held since its last
    /// truncation; it scans when a truncation's limit is not above it): for counting the scans
    /// avoided.
    unsigned int innerHighestKey;
} TrackedCache;

static void noteKey(TrackedCache *cache, unsigned int key) {
    if (key > cache->innerHighestKey) cache->innerHighestKey = key;
    if (key == cache->pendingPage) {
        cache->pendingPageHeld = 1;
    } else if (key > cache->highestKey) {
        cache->highestKey = key;
    }
}

static int trackedInit(void *arg) {
    (void)arg;
    return defaultMethods.xInit ? defaultMethods.xInit(defaultMethods.pArg) : SQLITE_OK;
}

static void trackedShutdown(void *arg) {
    (void)arg;
    if (defaultMethods.xShutdown) defaultMethods.xShutdown(defaultMethods.pArg);
}

static sqlite3_pcache *trackedCreate(int pageSize, int extraSize, int purgeable) {
    TrackedCache *cache = sqlite_nio_sqlite3_malloc(sizeof *cache);
    if (!cache) return 0;
    cache->inner = defaultMethods.xCreate(pageSize, extraSize, purgeable);
    if (!cache->inner) {
        sqlite_nio_sqlite3_free(cache);
        return 0;
    }
    cache->pendingPage = pageSize > 0 ? pendingByte / (unsigned int)pageSize + 1 : 0;
    cache->highestKey = 0;
    cache->pendingPageHeld = 0;
    cache->innerHighestKey = 0;
    return (sqlite3_pcache *)cache;
}

static void trackedCachesize(sqlite3_pcache *p, int size) {
    TrackedCache *cache = (TrackedCache *)p;
    defaultMethods.xCachesize(cache->inner, size);
}

static int trackedPagecount(sqlite3_pcache *p) {
    TrackedCache *cache = (TrackedCache *)p;
    return defaultMethods.xPagecount(cache->inner);
}

static sqlite3_pcache_page *trackedFetch(sqlite3_pcache *p, unsigned int key, int createFlag) {
    TrackedCache *cache = (TrackedCache *)p;
    // Only a creating fetch can add a page; whether it did is not reported, so count it anyway.
    if (createFlag) noteKey(cache, key);
    return defaultMethods.xFetch(cache->inner, key, createFlag);
}

static void trackedUnpin(sqlite3_pcache *p, sqlite3_pcache_page *page, int discard) {
    TrackedCache *cache = (TrackedCache *)p;
    defaultMethods.xUnpin(cache->inner, page, discard);
}

static void trackedRekey(sqlite3_pcache *p, sqlite3_pcache_page *page, unsigned int oldKey, unsigned int newKey) {
    TrackedCache *cache = (TrackedCache *)p;
    // One key names at most one page (the pager drops a page already at `newKey` first), so the page
    // leaving the pending page's number was the only one there.
    if (oldKey == cache->pendingPage) cache->pendingPageHeld = 0;
    noteKey(cache, newKey);
    defaultMethods.xRekey(cache->inner, page, oldKey, newKey);
}

static void trackedTruncate(sqlite3_pcache *p, unsigned int limit) {
    TrackedCache *cache = (TrackedCache *)p;
    // What the default cache alone would do here: scan, and lower its highest key to below `limit`.
    int defaultCacheWouldScan = limit <= cache->innerHighestKey;
    if (defaultCacheWouldScan) cache->innerHighestKey = limit > 0 ? limit - 1 : 0;

    unsigned int bound = cache->highestKey;
    if (cache->pendingPageHeld && cache->pendingPage > bound) bound = cache->pendingPage;
    if (limit > bound) {
        // Every page in the cache is numbered below `limit`: nothing to remove.
        atomic_fetch_add_explicit(&truncationsSkipped, 1, memory_order_relaxed);
        if (defaultCacheWouldScan) atomic_fetch_add_explicit(&scansAvoided, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&truncationsPassedOn, 1, memory_order_relaxed);
    defaultMethods.xTruncate(cache->inner, limit);
    // Pages numbered `limit` and above are gone.
    if (limit == 0) {
        cache->highestKey = 0;
        cache->pendingPageHeld = 0;
    } else {
        if (cache->highestKey >= limit) cache->highestKey = limit - 1;
        if (cache->pendingPage >= limit) cache->pendingPageHeld = 0;
    }
}

static void trackedDestroy(sqlite3_pcache *p) {
    TrackedCache *cache = (TrackedCache *)p;
    defaultMethods.xDestroy(cache->inner);
    sqlite_nio_sqlite3_free(cache);
}

static void trackedShrink(sqlite3_pcache *p) {
    TrackedCache *cache = (TrackedCache *)p;
    defaultMethods.xShrink(cache->inner);
}

int redlite_sqlite_page_cache_install(void) {
    // Called once, from the process configuration, before SQLite initializes.
    int result = sqlite_nio_sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &defaultMethods);
    if (result != SQLITE_OK) return result;
    if (!defaultMethods.xCreate || !defaultMethods.xTruncate) return SQLITE_ERROR;
    static const sqlite3_pcache_methods2 tracked = {
        1, 0, trackedInit, trackedShutdown, trackedCreate, trackedCachesize, trackedPagecount, trackedFetch,
        trackedUnpin, trackedRekey, trackedTruncate, trackedDestroy, trackedShrink,
    };
    return sqlite_nio_sqlite3_config(SQLITE_CONFIG_PCACHE2, &tracked);
}

void redlite_sqlite_page_cache_counters(long long *skipped, long long *scansAvoidedCount, long long *passedOn) {
    if (skipped) *skipped = atomic_load_explicit(&truncationsSkipped, memory_order_relaxed);
    if (scansAvoidedCount) *scansAvoidedCount = atomic_load_explicit(&scansAvoided, memory_order_relaxed);
    if (passedOn) *passedOn = atomic_load_explicit(&truncationsPassedOn, memory_order_relaxed);
}
