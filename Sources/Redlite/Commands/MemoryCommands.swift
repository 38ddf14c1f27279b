import Foundation
import NIOCore
import RESP
import VaporCSQLite

#if canImport(Glibc)
import Glibc
#endif

/// MEMORY (Redis's object.c `memoryCommand`), for a store whose data lives in SQLite's file and page
/// cache rather than in the heap: USAGE estimates the bytes a key's rows take in the database, PURGE
/// gives SQLite's page cache back, STATS reports the process's memory.
enum MemoryCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("memory") { context, arguments in
            let subcommand = arguments[1].lowercasedASCII
            // A subcommand's arity, as Redis checks it before running it.
            let arity: [String: Int] = ["usage": -3, "doctor": 2, "malloc-stats": 2, "purge": 2, "stats": 2, "help": 2]
            guard let expected = arity[subcommand] else {
                throw RedisError("ERR unknown subcommand '\(String(buffer: arguments[1]).prefix(128))'. Try MEMORY HELP.")
            }
            guard expected >= 0 ? arguments.count == expected : arguments.count >= -expected else {
                throw RedisError.wrongArity("memory|\(subcommand)")
            }
            switch subcommand {
            case "usage": return try usage(&context, arguments)
            case "purge":
                return try context.read { connection in
                    sqlite_nio_sqlite3_db_release_memory(connection.handle)
                    return .ok
                }
            case "stats":
                let keys = try context.read { connection in try connection.liveKeyCounts(now: context.now).reduce(0) { $0 + $1.keys } }
                return .map([
                    .init(.bulk("peak.allocated"), .integer(Int64(ProcessMemory.peakResident))),
                    .init(.bulk("total.allocated"), .integer(Int64(ProcessMemory.resident))),
                    .init(.bulk("keys.count"), .integer(keys)),
                ])
            case "doctor":
                return .verbatimString(format: "txt", text: ByteBuffer(string: """
                    Redlite keeps its data in SQLite's database file and page cache, not in the heap: there is no \
                    fragmentation or peak usage for the memory doctor to report.
                    """))
            case "malloc-stats":
                return .verbatimString(format: "txt", text: ByteBuffer(string: "Stats not supported for the current allocator"))
            default:
                return .array([
                    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR", "    Return memory problems reports.",
                    "MALLOC-STATS", "    Return internal statistics report from the memory allocator.", "PURGE",
                    "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
                    "    Return information about the memory usage of the server.", "USAGE <key> [SAMPLES <count>]",
                    "    Return memory in bytes used by <key> and its value. Nested values are",
                    "    sampled up to <count> times (default: 5, 0 means sample all).", "HELP", "    Prints this help.",
                ].map { .simpleString($0) })
            }
        }
    }

    /// Bytes SQLite spends on a row beside its columns' bytes: the cell's size and key varints, the
    /// record header, its pointer in the page, and the integer columns (about 2 bytes each).
    private static let rowOverhead: Int64 = 12

    /// MEMORY USAGE key [SAMPLES count]: the key row's bytes (in the table and in the (db, key)
    /// index) plus its elements', estimated as Redis estimates an aggregate: the mean of the first
    /// `count` elements (5 by default, 0 for all) times their number.
    private static func usage(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        var samples: Int64 = 5
        var index = 3
        while index < arguments.count {
            guard arguments.matches(index, "samples"), index + 1 < arguments.count else { throw RedisError.syntax }
            samples = try arguments.integer(index + 1)
            guard samples >= 0 else { throw RedisError.syntax }
            if samples == 0 { samples = Int64.max }
            index += 2
        }
        return try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[2], now: context.now, loadingChunks: false) else {
                return .nullBulkString
            }
            let keyBytes = Int64(arguments[2].readableBytes)
            var total = 2 * (keyBytes + rowOverhead) + (record.type == .string ? record.stringLength : 0) + 24
            let sql: StaticString
            switch record.type {
            case .string: return .integer(total)
            case .hash: sql = "SELECT count(*), coalesce(sum(length(field) + length(value)), 0) FROM (SELECT field, value FROM hashes WHERE key_id = ?1 LIMIT ?2)"
            case .list: sql = "SELECT count(*), coalesce(sum(length(value) + 8), 0) FROM (SELECT value FROM lists WHERE key_id = ?1 LIMIT ?2)"
            case .set: sql = "SELECT count(*), coalesce(sum(length(member)), 0) FROM (SELECT member FROM sets WHERE key_id = ?1 LIMIT ?2)"
            // A sorted set's member is stored twice: by name and in the (score, member) index.
            case .zset: sql = "SELECT count(*), coalesce(sum(2 * (length(member) + 8)), 0) FROM (SELECT member FROM zsets WHERE key_id = ?1 LIMIT ?2)"
            }
            let statement = try connection.statement(sql)
            defer { statement.reset() }
            statement.bind(1, record.id).bind(2, samples)
            _ = try statement.step()
            let sampled = statement.int64(0), bytes = statement.int64(1)
            guard sampled > 0 else { return .integer(total) }
            let perElement = Double(bytes) / Double(sampled) + Double(rowOverhead)
            total += Int64(perElement * Double(record.size))
            return .integer(total)
        }
    }
}

/// The process's resident memory, now and at its peak, and the machine's.
package enum ProcessMemory {
    package static var resident: Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The machine's physical memory.
    package static var systemTotal: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// getrusage's maximum resident set size (in KiB on Linux).
    package static var peakResident: Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return max(Int(usage.ru_maxrss) * 1024, resident)
    }
}
