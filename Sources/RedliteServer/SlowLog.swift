import Foundation
import NIOConcurrencyHelpers
import NIOCore
import RESP
import Synchronization

/// Redis's slow log (SLOWLOG GET, LEN, RESET): the last `slowlog-max-len` commands whose execution
/// took at least `slowlog-log-slower-than` microseconds (0 logs every command, a negative value none).
///
/// As in Redis, the time is the command's execution, not the wait around it: for a read, its run on
/// the event loop; for a write, its run inside the group commit's transaction on the writer, without
/// the wait for its batch or for the commit (Redis, likewise, does not count its AOF fsync). Entries are
/// shaped as Redis shapes them: at most 32 arguments (the last one then says how many more there
/// were), each cut to 128 bytes, passwords redacted (AUTH, HELLO … AUTH, CONFIG SET requirepass),
/// and the client's address and name. EXEC is not logged (the commands it ran are), nor are blocking
/// commands, whose time waiting is not execution.
///
/// Checking whether a command is slow costs two atomic loads; only slow commands take the lock.
final class SlowLog: Sendable {
    struct Entry: Sendable {
        var id: Int64
        /// Unix time (seconds) when the command was logged.
        var time: Int64
        var microseconds: Int64
        var arguments: [ByteBuffer]
        var client: String
        var clientName: String
    }

    private let threshold: Synchronization.Atomic<Int64>
    private let capacity: Synchronization.Atomic<Int>
    /// Oldest first; a ring, so that a long log (slowlog-max-len is the operator's) drops its oldest
    /// entry in constant time.
    private let state = NIOLockedValueBox((entries: CircularBuffer<Entry>(), nextID: Int64(0)))

    init(logSlowerThan: Int, maxLength: Int) {
        threshold = Synchronization.Atomic(Int64(logSlowerThan))
        capacity = Synchronization.Atomic(maxLength)
    }

    /// `slowlog-log-slower-than` and `slowlog-max-len` (CONFIG SET); a shorter log drops its oldest entries.
    func configure(logSlowerThan: Int, maxLength: Int) {
        threshold.store(Int64(logSlowerThan), ordering: .relaxed)
        capacity.store(maxLength, ordering: .relaxed)
        state.withLockedValue { state in
            while state.entries.count > maxLength { state.entries.removeFirst() }
        }
    }

    /// Whether a command that ran for `nanoseconds` is logged.
    func isSlow(nanoseconds: UInt64) -> Bool {
        let threshold = threshold.load(ordering: .relaxed)
        return threshold >= 0 && Int64(clamping: nanoseconds / 1000) >= threshold && capacity.load(ordering: .relaxed) > 0
    }

    /// Logs a command that ran for `nanoseconds`, if that is at least the threshold (the caller
    /// knows it ran: Redis's log never sees a command refused before running).
    func note(_ request: [ByteBuffer], name: String, nanoseconds: UInt64, client: String, clientName: String) {
        guard isSlow(nanoseconds: nanoseconds), !Self.unlogged.contains(name) else { return }
        let arguments = Self.loggedArguments(request, name: name)
        let time = Int64(Date().timeIntervalSince1970)
        let capacity = capacity.load(ordering: .relaxed)
        state.withLockedValue { state in
            state.entries.append(Entry(id: state.nextID, time: time, microseconds: Int64(nanoseconds / 1000),
                                       arguments: arguments, client: client, clientName: clientName))
            state.nextID += 1
            while state.entries.count > capacity { state.entries.removeFirst() }
        }
    }

    /// The newest `count` entries, newest first (all of them for nil).
    func newest(_ count: Int?) -> [Entry] {
        state.withLockedValue { state in Array(state.entries.reversed().prefix(count ?? state.entries.count)) }
    }

    var count: Int { state.withLockedValue { $0.entries.count } }

    func reset() {
        state.withLockedValue { $0.entries.removeAll() }
    }

    /// Commands Redis never logs: EXEC (its commands are logged one by one) and the blocking ones.
    static let unlogged: Set<String> = ["exec", "blpop", "brpop", "blmove", "brpoplpush", "blmpop", "bzpopmin", "bzpopmax", "bzmpop"]

    /// Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING.
    static let maximumArguments = 32
    static let maximumArgumentBytes = 128

    /// The arguments as an entry keeps them: cut to size, and passwords redacted.
    static func loggedArguments(_ request: [ByteBuffer], name: String) -> [ByteBuffer] {
        let redacted = redactedPositions(request, name: name)
        let kept = request.count > maximumArguments ? maximumArguments - 1 : request.count
        var arguments: [ByteBuffer] = []
        arguments.reserveCapacity(min(request.count, maximumArguments))
        for index in 0..<kept {
            if redacted.contains(index) {
                arguments.append(ByteBuffer(string: "(redacted)"))
                continue
            }
            let argument = request[index]
            if argument.readableBytes > maximumArgumentBytes {
                var cut = argument.getSlice(at: argument.readerIndex, length: maximumArgumentBytes)!
                cut.writeString("... (\(argument.readableBytes - maximumArgumentBytes) more bytes)")
                arguments.append(cut)
            } else {
                // A copy: the request's bytes are a slice of the connection's input, kept no longer.
                arguments.append(ByteBuffer(bytes: argument.readableBytesView))
            }
        }
        if kept < request.count {
            arguments.append(ByteBuffer(string: "... (\(request.count - kept) more arguments)"))
        }
        return arguments
    }

    private static func redactedPositions(_ request: [ByteBuffer], name: String) -> Set<Int> {
        switch name {
        case "auth":
            return Set(1..<request.count)
        case "hello":
            var index = 2
            while index < request.count {
                if request[index].lowercasedASCII == "auth" && index + 2 < request.count { return [index + 1, index + 2] }
                index += 1
            }
            return []
        case "config":
            guard request.count >= 4, request[1].lowercasedASCII == "set" else { return [] }
            return Set(stride(from: 2, to: request.count - 1, by: 2).filter { request[$0].lowercasedASCII == "requirepass" }.map { $0 + 1 })
        default:
            return []
        }
    }
}

extension ClientConnection {
    /// SLOWLOG GET [count], LEN, RESET, HELP.
    func slowlog(_ request: [ByteBuffer]) {
        let log = server.slowLog
        switch request[1].lowercasedASCII {
        case "get" where request.count <= 3:
            var count: Int? = 10
            if request.count == 3 {
                guard let requested = Int(String(buffer: request[2])), requested >= -1 else {
                    reply(.simpleError("ERR count should be greater than or equal to -1"))
                    return
                }
                count = requested == -1 ? nil : requested
            }
            reply(.array(log.newest(count).map { entry in
                .array([
                    .integer(entry.id), .integer(entry.time), .integer(entry.microseconds),
                    .array(entry.arguments.map { .bulkString($0) }), .bulk(entry.client), .bulk(entry.clientName),
                ])
            }))
        case "len" where request.count == 2:
            reply(.integer(Int64(log.count)))
        case "reset" where request.count == 2:
            log.reset()
            reply(.ok)
        case "help" where request.count == 2:
            reply(.array([
                "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET [<count>]",
                "    Return top <count> entries from the slowlog (default: 10, -1 mean all).", "    Entries are made of:",
                "    id, timestamp, time in microseconds, arguments array, client IP and port,", "    client name", "LEN",
                "    Return the length of the slowlog.", "RESET", "    Reset the slowlog.", "HELP", "    Prints this help.",
            ].map { .simpleString($0) }))
        default:
            let subcommand = String(String(buffer: request[1]).prefix(128))
            if server.table.subcommand("slowlog", request[1].lowercasedASCII) == nil {
                reply(.simpleError("ERR unknown subcommand '\(subcommand)'. Try SLOWLOG HELP."))
            } else {
                reply(.simpleError("ERR unknown subcommand or wrong number of arguments for '\(subcommand)'. Try SLOWLOG HELP."))
            }
        }
    }
}
