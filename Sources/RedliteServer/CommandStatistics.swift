import Foundation
import NIOConcurrencyHelpers
import NIOCore
import RESP
import Redlite
import Synchronization

/// INFO commandstats for one command or subcommand: calls run, their total execution time, the
/// calls that answered an error while running (failed) and the calls refused before running
/// (rejected: a wrong number of arguments, NOAUTH…), as Redis counts them.
///
/// Counted by every event loop and the writer at once, for every command: in shards chosen by the
/// counting thread (`ThreadShard`), so that two event loops answering GETs do not fight over one
/// cache line; INFO adds them up.
final class CommandStatistics: Sendable {
    /// The name INFO shows: `get`, `client|setname`.
    let name: String
    private let shards: [Shard]

    /// One thread's counters, padded to a cache line pair of its own.
    private final class Shard: Sendable {
        let calls = Atomic<Int64>(0)
        let nanoseconds = Atomic<Int64>(0)
        let failed = Atomic<Int64>(0)
        let rejected = Atomic<Int64>(0)
        /// The calls' execution times (made on the shard's first call: most commands are never run).
        /// A lock, uncontended but for two threads sharing a shard, costs tens of nanoseconds.
        let latencies = Mutex<LatencyHistogram?>(nil)
        private let padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    init(name: String) {
        self.name = name
        shards = (0..<ThreadShard.count).map { _ in Shard() }
    }

    /// The calling thread's shard.
    private var shard: Shard { shards[ThreadShard.current] }

    func ran(nanoseconds elapsed: UInt64, failed didFail: Bool) {
        let shard = shard
        shard.calls.add(1, ordering: .relaxed)
        shard.nanoseconds.add(Int64(clamping: elapsed), ordering: .relaxed)
        if didFail { shard.failed.add(1, ordering: .relaxed) }
        shard.latencies.withLock { histogram in
            if histogram == nil { histogram = LatencyHistogram() }
            histogram!.record(nanoseconds: elapsed)
        }
    }

    /// The execution times of every call, from all shards; nil while it has never run.
    var latencies: LatencyHistogram? {
        shards.reduce(nil) { (sum: LatencyHistogram?, shard) in
            guard let histogram = shard.latencies.withLock({ $0 }) else { return sum }
            guard var sum else { return histogram }
            sum.add(histogram)
            return sum
        }
    }

    /// Its INFO latencystats line: the 50th, 99th and 99.9th percentiles of its execution times in
    /// microseconds (Redis's default latency-tracking-info-percentiles), or nil while it has never run.
    var latencyInfoLine: (String, String)? {
        guard let histogram = latencies, histogram.total > 0 else { return nil }
        let percentiles = [("p50", 50.0), ("p99", 99.0), ("p99.9", 99.9)].map { label, percent in
            "\(label)=" + String(format: "%.3f", Double(histogram.percentile(percent)) / 1000)
        }
        return ("latency_percentiles_usec_\(name)", percentiles.joined(separator: ","))
    }

    func refused() {
        shard.rejected.add(1, ordering: .relaxed)
    }

    func reset() {
        for shard in shards {
            shard.calls.store(0, ordering: .relaxed)
            shard.nanoseconds.store(0, ordering: .relaxed)
            shard.failed.store(0, ordering: .relaxed)
            shard.rejected.store(0, ordering: .relaxed)
            shard.latencies.withLock { $0 = nil }
        }
    }

    /// Its INFO line, or nil while it has never been called nor refused (Redis lists only those).
    var infoLine: String? {
        func sum(_ counter: (Shard) -> Int64) -> Int64 { shards.reduce(0) { $0 + counter($1) } }
        let calls = sum { $0.calls.load(ordering: .relaxed) }, rejected = sum { $0.rejected.load(ordering: .relaxed) }
        guard calls > 0 || rejected > 0 else { return nil }
        let microseconds = sum { $0.nanoseconds.load(ordering: .relaxed) } / 1000
        let perCall = calls > 0 ? Double(microseconds) / Double(calls) : 0
        return "cmdstat_\(name):calls=\(calls),usec=\(microseconds),usec_per_call=\(String(format: "%.2f", perCall)),"
            + "rejected_calls=\(rejected),failed_calls=\(sum { $0.failed.load(ordering: .relaxed) })"
    }
}

/// INFO errorstats: error replies counted by their code, the first word of the message (`ERR`,
/// `WRONGTYPE`, `NOAUTH`…). Errors are rare next to replies; a lock is cheap enough.
final class ErrorStatistics: Sendable {
    private let counts = NIOLockedValueBox<[String: Int64]>([:])

    /// Counts an error reply.
    func count(_ reply: RESPValue) {
        switch reply {
        case .simpleError(let message), .bulkError(let message):
            let code = message.prefix { $0 != " " }
            counts.withLockedValue { $0[String(code), default: 0] += 1 }
        default:
            break
        }
    }

    func reset() {
        counts.withLockedValue { $0.removeAll() }
    }

    /// INFO lines in Redis's order (by code).
    var infoLines: [(String, String)] {
        counts.withLockedValue { $0 }.sorted { $0.key < $1.key }.map { ("errorstat_\($0.key)", "count=\($0.value)") }
    }
}
