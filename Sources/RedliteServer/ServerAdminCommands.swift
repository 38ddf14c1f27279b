import Foundation
import NIOConcurrencyHelpers
import NIOCore
import RESP
import Redlite

/// SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE (see `Persistence`), ROLE, WAIT, DEBUG, and the cluster and
/// replication commands (CLUSTER, READONLY, READWRITE, ASKING, REPLICAOF, SLAVEOF, FAILOVER): what
/// operators' tools and client libraries ask a standalone Redis about itself.
extension ClientConnection {
    static let serverAdminCommandNames: Set<String> = [
        "save", "bgsave", "bgrewriteaof", "lastsave", "role", "wait", "debug",
        // What a standalone Redis answers about clustering and replication: clients probe these to
        // tell a standalone server from a cluster node or a replica.
        "cluster", "readonly", "readwrite", "asking", "replicaof", "slaveof", "failover",
    ]

    /// Answers one of `serverAdminCommandNames`.
    func serverAdmin(_ name: String, _ request: [ByteBuffer]) {
        switch name {
        case "save": save()
        case "wait": wait(request)
        default: reply(Self.adminReply(name, request, persistence: server.persistence, inTransaction: false))
        }
    }

    /// The commands that answer at once, also inside EXEC (where Redis schedules a BGSAVE instead of
    /// refusing it, and WAIT does not wait).
    static func adminReply(_ name: String, _ request: [ByteBuffer], persistence: Persistence, inTransaction: Bool) -> RESPValue {
        switch name {
        case "role":
            return .array([.bulk("master"), .integer(0), .array([])])
        case "debug":
            // Redis's default (enable-debug-command no): DEBUG is refused, with its text.
            return .simpleError("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
        case "lastsave":
            return .integer(persistence.lastSave)
        case "cluster", "readonly", "readwrite", "asking":
            return .simpleError("ERR This instance has cluster support disabled")
        case "replicaof", "slaveof":
            // Already a master: NO ONE changes nothing, as in Redis. Redlite cannot follow a master.
            if request[1].lowercasedASCII == "no" && request[2].lowercasedASCII == "one" { return .ok }
            guard let port = RedisInteger.parse(request[2]), (0...65535).contains(port) else { return .simpleError("ERR Invalid master port") }
            return .simpleError("ERR Redlite does not replicate: it cannot become a replica of another server")
        case "failover":
            return failoverReply(request)
        case "wait":
            return waitArguments(request).map { _ in .integer(0) } ?? waitError(request)
        case "bgsave":
            if request.count > 2 || (request.count == 2 && request[1].lowercasedASCII != "schedule") { return .simpleError("ERR syntax error") }
            switch persistence.startInBackground(.save, schedule: request.count == 2 || inTransaction) {
            case .started: return .simpleString(inTransaction ? "Background saving scheduled" : "Background saving started")
            case .scheduled: return .simpleString("Background saving scheduled")
            case .alreadyRunning: return .simpleError("ERR Background save already in progress")
            case .otherRunning:
                return .simpleError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
            }
        case "bgrewriteaof":
            switch persistence.startInBackground(.rewrite) {
            case .started: return .simpleString(inTransaction ? "Background append only file rewriting scheduled" : "Background append only file rewriting started")
            case .scheduled, .otherRunning: return .simpleString("Background append only file rewriting scheduled")
            case .alreadyRunning: return .simpleError("ERR Background append only file rewriting already in progress")
            }
        default:
            return .simpleError("ERR unknown command '\(name)'")
        }
    }

    /// FAILOVER as Redis's failoverCommand answers a master without replicas, its checks in order.
    private static func failoverReply(_ request: [ByteBuffer]) -> RESPValue {
        if request.count == 2 && request[1].lowercasedASCII == "abort" { return .simpleError("ERR No failover in progress.") }
        var timeout: Int64 = 0, force = false, host = false
        var index = 1
        while index < request.count {
            let word = request[index].lowercasedASCII
            if word == "timeout" && index + 1 < request.count && timeout <= 0 {
                guard let value = RedisInteger.parse(request[index + 1]) else { return .simpleError("ERR value is not an integer or out of range") }
                guard value > 0 else { return .simpleError("ERR FAILOVER timeout must be greater than 0") }
                timeout = value
                index += 1
            } else if word == "to" && index + 2 < request.count && !host {
                guard RedisInteger.parse(request[index + 2]) != nil else { return .simpleError("ERR value is not an integer or out of range") }
                host = true
                index += 2
            } else if word == "force" && !force {
                force = true
            } else {
                return .simpleError("ERR syntax error")
            }
            index += 1
        }
        return .simpleError("ERR FAILOVER requires connected replicas.")
    }

    /// SAVE: the connection's later requests wait until the checkpoint is done (Redis's SAVE blocks
    /// the whole server; here only this client waits, and the event loop goes on serving others).
    private func save() {
        guard context != nil else { return }
        waitingForCommit = true
        let persistence = server.persistence
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        DispatchQueue.global().async {
            let result = persistence.saveNow()
            eventLoop.execute {
                let connection = bound.value
                connection.waitingForCommit = false
                switch result {
                case .success: connection.reply(.ok)
                case .failure(.alreadyRunning): connection.reply(.simpleError("ERR Background save already in progress"))
                case .failure(.failed): connection.reply(.simpleError("ERR"))
                }
                connection.processPending()
            }
        }
    }

    /// WAIT numreplicas timeout: a standalone server has no replicas, so it answers 0, at once when
    /// none are asked for, otherwise after the timeout (0: never, as in Redis, until the client
    /// goes away). Later requests of the client wait behind it.
    private func wait(_ request: [ByteBuffer]) {
        guard let (replicas, timeout) = Self.waitArguments(request) else {
            reply(Self.waitError(request))
            return
        }
        guard replicas > 0 else {
            reply(.integer(0))
            return
        }
        guard context != nil else { return }
        // Blocked, as Redis flags a client in WAIT (CLIENT LIST shows it; the idle timeout spares it).
        waitingForCommit = true
        handle.update { $0.blocked = true }
        // The timeout and CLIENT UNBLOCK race to end the wait: the first to claim it does.
        let claim = NIOLockedValueBox(false)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let finish: @Sendable (RESPValue) -> Void = { answer in
            let connection = bound.value
            connection.waitTimer?.cancel()
            connection.waitTimer = nil
            connection.waitingForCommit = false
            connection.handle.update {
                $0.blocked = false
                $0.blockedWithTimeout = false
            }
            connection.handle.unblocker.withLockedValue { $0 = nil }
            connection.reply(answer)
            connection.processPending()
        }
        handle.unblocker.withLockedValue { unblocker in
            unblocker = { withError in
                guard Self.take(claim) else { return false }
                eventLoop.execute { finish(withError ? Self.unblockedError : .integer(0)) }
                return true
            }
        }
        // 0, or longer than NIO's nanosecond clock can count (TimeAmount.milliseconds would overflow):
        // until unblocked.
        guard timeout > 0, timeout < Int64.max / 1_000_000 else { return }
        handle.update { $0.blockedWithTimeout = true }
        waitTimer = eventLoop.scheduleTask(in: .milliseconds(timeout)) {
            guard Self.take(claim) else { return }
            finish(.integer(0))
        }
    }

    /// Claims a one-time event: true for the first caller only.
    private static func take(_ claim: NIOLockedValueBox<Bool>) -> Bool {
        claim.withLockedValue { taken in
            defer { taken = true }
            return !taken
        }
    }

    private static func waitArguments(_ request: [ByteBuffer]) -> (replicas: Int64, timeout: Int64)? {
        guard let replicas = RedisInteger.parse(request[1]), let timeout = RedisInteger.parse(request[2]), timeout >= 0 else { return nil }
        return (replicas, timeout)
    }

    /// Redis parses the replica count first, then the timeout.
    private static func waitError(_ request: [ByteBuffer]) -> RESPValue {
        guard RedisInteger.parse(request[1]) != nil else { return .simpleError("ERR value is not an integer or out of range") }
        guard RedisInteger.parse(request[2]) != nil else { return .simpleError("ERR timeout is not an integer or out of range") }
        return .simpleError("ERR timeout is negative")
    }
}
