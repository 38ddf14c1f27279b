import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// INFO stats' `keyspace_hits`, `keyspace_misses` and `expired_keys`, counted where Redis counts
/// them: a hit or a miss for every key a command looks up to read it (GET, MGET's each key, EXISTS,
/// TYPE, TTL, HGET, LRANGE, SINTERSTORE's sources…; a key that has expired is a miss), but not for
/// a key looked up to be written (SET, INCR, LPUSH, DEL); an expired key counts once when its row is
/// removed (by active expiry, or by a write that finds it expired and starts the key afresh).
///
/// Counted on every read, by every event loop and the writer at once: in shards chosen by the
/// counting thread, so that two threads answering GETs do not share a cache line; `totals` adds
/// them up.
public final class KeyspaceStatistics: Sendable {
    /// The counts since the store opened or since the last `reset()`.
    public struct Totals: Sendable, Hashable {
        public var hits: Int64
        public var misses: Int64
        public var expiredKeys: Int64
    }

    /// One thread's counters, padded to a cache line pair of its own.
    private final class Shard: Sendable {
        let hits = Atomic<Int64>(0)
        let misses = Atomic<Int64>(0)
        let expired = Atomic<Int64>(0)
        private let padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    private let shards = (0..<ThreadShard.count).map { _ in Shard() }

    init() {}

    /// A key looked up for reading: found (and live) or not.
    func recordLookup(found: Bool) {
        let shard = shards[ThreadShard.current]
        if found {
            shard.hits.add(1, ordering: .relaxed)
        } else {
            shard.misses.add(1, ordering: .relaxed)
        }
    }

    /// Expired keys whose rows were removed.
    func recordExpired(_ count: Int) {
        guard count > 0 else { return }
        shards[ThreadShard.current].expired.add(Int64(count), ordering: .relaxed)
    }

    public var totals: Totals {
        shards.reduce(Totals(hits: 0, misses: 0, expiredKeys: 0)) { totals, shard in
            Totals(hits: totals.hits + shard.hits.load(ordering: .relaxed), misses: totals.misses + shard.misses.load(ordering: .relaxed),
                   expiredKeys: totals.expiredKeys + shard.expired.load(ordering: .relaxed))
        }
    }

    /// Starts the counts again from zero (CONFIG RESETSTAT).
    public func reset() {
        for shard in shards {
            shard.hits.store(0, ordering: .relaxed)
            shard.misses.store(0, ordering: .relaxed)
            shard.expired.store(0, ordering: .relaxed)
        }
    }
}

/// Which of a few counter shards the calling thread uses: statistics counted on every command by
/// several threads at once keep one set of counters per shard, so that the threads do not bounce
/// one cache line between their cores (one shared counter cost about half a microsecond per GET on
/// two cores).
package enum ThreadShard {
    package static let count = 8

    /// The calling thread's shard: its pthread id hashed (Fibonacci hashing), stable for the thread.
    package static var current: Int {
        let id = UInt64(pthread_self())
        return Int((id &* 0x9E37_79B9_7F4A_7C15) >> 61) % count
    }
}
