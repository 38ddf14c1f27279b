import NIOCore
import RESP
import RedisCommands
import Redlite

/// MULTI, EXEC, DISCARD, WATCH.
extension ClientConnection {
    func multi() {
        guard transaction == nil else {
            reply(.simpleError("ERR MULTI calls can not be nested"))
            return
        }
        transaction = []
        transactionFailed = false
        handle.update { $0.inMulti = 0 }
        reply(.ok)
    }

    func discard() {
        guard transaction != nil else {
            reply(.simpleError("ERR DISCARD without MULTI"))
            return
        }
        transaction = nil
        watched = []
        handle.update { $0.inMulti = -1 }
        reply(.ok)
    }

    func watch(_ request: [ByteBuffer]) {
        if transaction != nil {
            reply(.simpleError("ERR WATCH inside MULTI is not allowed"))
            return
        }
        for requested in request.dropFirst() {
            // A copy: the request's bytes are a slice of the whole read buffer they arrived in, which
            // a kept slice would keep alive (up to 64 KB per key, counted as the key's few bytes).
            let key = ByteBuffer(bytes: requested.readableBytesView)
            let version = try? server.store.keyVersion(database: session.database, key: key)
            watched.append((session.database, key, version ?? nil))
            watchedBytes += Self.keptSize(of: key)
        }
        reply(.ok)
        checkQueryBufferLimit()
    }

    /// A command between MULTI and EXEC: checked now (unknown command, arity), run at EXEC.
    func queueInTransaction(_ request: [ByteBuffer], name: String, spec: CommandSpec?) {
        if name == "debug" {
            // Refused before it could be queued, as Redis refuses a protected command.
            transactionFailed = true
            reply(Self.adminReply(name, request, persistence: server.persistence, inTransaction: true))
            return
        }
        // A command is known when something here runs it: the engine, this layer, or the blocking
        // commands' plans. One the command table has but Redlite does not implement (REPLCONF, PFADD…)
        // is refused now with the unknown-command error it gets outside MULTI, failing EXEC.
        let known = server.store.implements(name) || Self.serverCommandNames.contains(name) || Self.blockingCommands.contains(name)
        let allowed = !Self.serverCommandNames.contains(name) || Self.allowedInTransaction.contains(name)
            || Self.answeredAfterCommit.contains(name)
        guard known, allowed else {
            transactionFailed = true
            if !known {
                var session = self.session
                reply(server.store.execute(request, session: &session))  // the engine's unknown-command text
            } else {
                reply(.simpleError("ERR Command not allowed inside a transaction"))
            }
            return
        }
        if let spec, !spec.accepts(argumentCount: request.count) {
            transactionFailed = true
            server.routes[name].statistics?.refused()
            reply(.simpleError("ERR wrong number of arguments for '\(spec.name)' command"))
            return
        }
        // A container's subcommand is looked up and its arity checked when queued, as Redis does.
        if let spec, !spec.subcommands.isEmpty, request.count >= 2 {
            guard let subcommand = knownSubcommand(name, request) else {
                transactionFailed = true
                reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try \(name.uppercased()) HELP."))
                return
            }
            guard subcommand.fits else {
                transactionFailed = true
                reply(.simpleError("ERR wrong number of arguments for '\(subcommand.name)' command"))
                return
            }
        }
        transaction?.append(request)
        transactionBytes += Self.size(of: request)
        handle.update { $0.inMulti = (self.transaction?.count ?? 0) }
        reply(.simpleString("QUEUED"))
        checkQueryBufferLimit()
    }

    /// Server commands that may be queued: they are answered inside EXEC's transaction.
    static let allowedInTransaction: Set<String> = [
        "ping", "select", "publish", "spublish", "role", "lastsave", "wait", "bgsave", "bgrewriteaof",
        "cluster", "readonly", "readwrite", "asking", "replicaof", "slaveof", "failover",
    ]

    /// Server commands that may be queued and are answered once EXEC's transaction has committed, on
    /// the connection's event loop (they use its state, or the server's), each in its place in EXEC's
    /// reply. Redis runs them between the transaction's other commands; what they report is the
    /// same except for what the transaction itself changed (INFO keyspace counts its keys, CONFIG SET
    /// takes effect after it).
    static let answeredAfterCommit: Set<String> = [
        "client", "command", "info", "config", "slowlog", "pubsub", "hello", "auth", "unwatch", "monitor", "acl", "latency",
        "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
    ]

    /// The queued commands answered after the commit: those of `answeredAfterCommit`, and a PING behind
    /// a subscription, which (in RESP2) answers in the subscribed form as Redis's does once the
    /// SUBSCRIBE before it in the transaction has run.
    static func answeredAfterCommit(in queued: [[ByteBuffer]]) -> [Int] {
        var subscribed = false
        return queued.indices.filter { index in
            let name = queued[index][0].lowercasedASCII
            if ["subscribe", "psubscribe", "ssubscribe"].contains(name) { subscribed = true }
            return answeredAfterCommit.contains(name) || (subscribed && name == "ping")
        }
    }

    func exec() {
        guard let queued = transaction else {
            reply(.simpleError("ERR EXEC without MULTI"))
            return
        }
        transaction = nil
        handle.update { $0.inMulti = -1 }
        let watched = self.watched
        self.watched = []
        if transactionFailed {
            transactionFailed = false
            reply(.simpleError("EXECABORT Transaction discarded because of previous errors."))
            return
        }
        let hub = server.store.pubsub, persistence = server.persistence
        let server = server, client = handle.address, clientName = name
        let afterCommit = Self.answeredAfterCommit(in: queued)
        let placesAfterCommit = Set(afterCommit)
        // The whole transaction runs as one job of the group committer: atomic, and visible to
        // others only once committed.
        commit(work: { transaction, session in
            for entry in watched where (try? transaction.keyVersion(database: entry.database, key: entry.key)) != entry.version {
                return .nullArray
            }
            var replies: [RESPValue] = []
            for (index, request) in queued.enumerated() {
                let name = request[0].lowercasedASCII
                if placesAfterCommit.contains(index) {
                    replies.append(.null)  // its place, filled in after the commit
                    continue
                }
                if ClientConnection.blockingCommands.contains(name) {
                    // Inside MULTI a blocking command does not block: it answers at once.
                    do {
                        let plan = try ClientConnection.blockingPlan(name, request)
                        replies.append(plan.transform(transaction.execute(plan.request, session: &session)) ?? plan.timeoutReply)
                    } catch {
                        replies.append(.simpleError((error as? RedisError)?.message ?? "ERR \(error)"))
                    }
                    continue
                }
                // Each command of the transaction is logged on its own when slow, EXEC never, as in Redis.
                replies.append(server.measure(request, name: name, route: server.routes[name], client: client, clientName: clientName) {
                    switch name {
                    case "publish": return .integer(Int64(hub.publish(channel: request[1], payload: request[2])))
                    case "spublish": return .integer(Int64(hub.publish(shardChannel: request[1], payload: request[2])))
                    case _ where ClientConnection.serverAdminCommandNames.contains(name):
                        return ClientConnection.adminReply(name, request, persistence: persistence, inTransaction: true)
                    default: return transaction.execute(request, session: &session)
                    }
                })
            }
            return .array(replies)
        }, finish: afterCommit.isEmpty ? nil : { [self] value in
            guard case .array(let replies) = value else { return value }
            var places = replies.map { [$0] }
            for index in afterCommit {
                let request = queued[index], name = request[0].lowercasedASCII
                var answers: [RESPValue] = []
                _ = server.measure(request, name: name, route: server.routes[name], client: client, clientName: self.name) {
                    answers = name == "monitor"
                        // A client inside EXEC expects one reply per command, so Redis refuses to
                        // turn it into a monitor there.
                        ? [.simpleError("ERR MONITOR isn't allowed for DENY BLOCKING client")]
                        : capturingReplies { _ = handleServerCommand(name, request) }
                    return answers.first(where: \.isError) ?? answers.first ?? .null
                }
                places[index] = answers
            }
            guard places.contains(where: { $0.count != 1 }) else { return .array(places.map { $0[0] }) }
            // A SUBSCRIBE of several channels answers once per channel. Redis writes each of those
            // replies into EXEC's array, whose length it has already given as the number of commands;
            // so does this, byte for byte.
            replyFramed(count: queued.count, places.flatMap { $0 })
            return Self.answeredMarker
        }, then: { value in
            // Errors inside EXEC's reply count as error replies too, as in Redis.
            guard case .array(let replies) = value else { return }
            for reply in replies where reply.isError {
                server.errorReplies.increment()
                server.errorStatistics.count(reply)
            }
        })
    }

    /// The replies `body` makes (a server command's: one, or one per channel of a SUBSCRIBE), kept
    /// instead of sent: EXEC places them in its array.
    private func capturingReplies(_ body: () -> Void) -> [RESPValue] {
        capturedReplies = []
        body()
        defer { capturedReplies = nil }
        return capturedReplies ?? []
    }

    /// An array header of `count` and then `values`, which may be more than `count` (see EXEC).
    private func replyFramed(count: Int, _ values: [RESPValue]) {
        if replies == .on && capturedReplies == nil { writeArrayHeader(count: count) }
        for value in values { reply(value) }
    }

    /// What `commit`'s `finish` returns once it has written the reply itself.
    static let answeredMarker = RESPValue.attributed([.init(.bulk("redlite-answered"), .null)], .null)
}
