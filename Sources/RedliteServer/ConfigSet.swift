import Foundation
import NIOCore
import NIOSSL
import RESP
import Redlite

/// CONFIG SET, as Redis 7.0 does it: every name is checked first (unknown, immutable, protected,
/// then repeated), then the values are parsed, then applied all or none. Most settings are values
/// the server reads when it needs them; a few act on something outside the configuration, and those
/// effects are undone when a later step fails:
/// - `synchronous` (or Redis's `appendfsync`): SQLite's mode on the writer, and whether event loops
///   may lead commits;
/// - `loglevel`: the level of every copy of the server's logger;
/// - `tls-cert-file`, `tls-key-file`, `tls-ca-cert-file`, `tls-port`: the TLS context of new TLS
///   connections (built from the files, so a file that cannot be used fails here);
/// - `port`, `bind`, `tls-port`: the listeners (see `Listeners.change`), last, since only they can
///   take time: when a new listener needs the address of one being replaced (`bind 127.0.0.1` to
///   `bind 0.0.0.0`), the old one closes first and the answer comes once the new one listens.
extension ClientConnection {
    /// One CONFIG SET at a time, server-wide, from reading the settings to the answer (Redis runs
    /// them one after another on its one thread): two at once could each undo a step on a failure
    /// that the other had made, or each rebind listeners from its own view of the settings. A client
    /// whose CONFIG SET finds another one running (waiting for listeners to close) waits for it.
    func configSet(_ request: [ByteBuffer]) {
        guard let eventLoop = context?.eventLoop else { return }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let configSets = server.configSets
        // Called with the turn handed over: it runs, or passes the turn on if the client has gone.
        let resume: @Sendable () -> Void = {
            eventLoop.execute {
                let connection = bound.value
                connection.waitingForCommit = false
                guard connection.context != nil, !connection.departed else { return configSets.release() }
                if !connection.runConfigSet(request) { configSets.release() }
                connection.processPending()
            }
        }
        guard configSets.acquire(orQueue: resume) else {
            waitingForCommit = true
            return
        }
        if !runConfigSet(request) { configSets.release() }
    }

    /// The CONFIG SET itself; true when its answer comes later (it then releases `configSets`).
    private func runConfigSet(_ request: [ByteBuffer]) -> Bool {
        guard request.count >= 4, request.count % 2 == 0 else {
            reply(.simpleError("ERR wrong number of arguments for 'config|set' command"))
            return false
        }
        var names = Set<String>()
        for index in stride(from: 2, to: request.count, by: 2) {
            let name = request[index].lowercasedASCII
            let failure = "ERR CONFIG SET failed (possibly related to argument '\(name)')"
            if Self.immutable.contains(name) {
                reply(.simpleError("\(failure) - can't set immutable config"))
                return false
            }
            if Self.protected.contains(name) {
                reply(.simpleError("\(failure) - can't set protected config"))
                return false
            }
            guard Self.settable.contains(name) else {
                reply(.simpleError("ERR Unknown option or number of arguments for CONFIG SET - '\(name)'"))
                return false
            }
            guard names.insert(name).inserted else {
                reply(.simpleError("\(failure) - duplicate parameter"))
                return false
            }
        }
        let pairs = stride(from: 2, to: request.count, by: 2).map { (request[$0].lowercasedASCII, String(buffer: request[$0 + 1])) }
        let old = server.configuration
        let new: ServerConfiguration
        let effects: Effects
        do {
            new = try applying(pairs, to: old)
            effects = try startEffects(of: names, from: old, to: new)
        } catch {
            reply(.simpleError((error as? ConfigSetFailure)?.message ?? "ERR CONFIG SET failed - \(error)"))
            return false
        }
        // Naming a listener setting always rebinds what is missing, as Redis always applies it (an
        // optional address skipped before may be there now); the other settings leave them alone.
        guard !names.isDisjoint(with: Self.listenerSettings) else {
            finishConfigSet(new, names: names, effects: effects, listening: .success(()))
            return false
        }
        // Inside EXEC the answer cannot wait: only the changes that need no listener closed first.
        let eventLoop = capturedReplies == nil ? context?.eventLoop : nil
        switch server.listeners.change(to: Listeners.endpoints(of: new), closingFirstOn: eventLoop) {
        case .done:
            finishConfigSet(new, names: names, effects: effects, listening: .success(()))
            return false
        case .failed(let error):
            finishConfigSet(new, names: names, effects: effects, listening: .failure(error))
            return false
        case .pending(let future):
            guard let eventLoop else { return false }
            // Later requests of this client wait for the answer; other clients go on.
            waitingForCommit = true
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            let configSets = server.configSets
            let settingNames = names
            future.hop(to: eventLoop).whenComplete { result in
                let connection = bound.value
                connection.waitingForCommit = false
                connection.finishConfigSet(new, names: settingNames, effects: effects, listening: result)
                configSets.release()
                connection.processPending()
            }
            return true
        }
    }

    /// What `startEffects` did, to be kept or undone.
    struct Effects: Sendable {
        /// The TLS setting that changed the TLS context, and the context before it.
        var tlsName: String?
        var previousTLSContext: NIOSSLContext?
        var previousSynchronous: RedliteStore.Configuration.Synchronous?
    }

    /// `configuration` with the values applied (the names are known settable).
    private func applying(_ pairs: [(String, String)], to configuration: ServerConfiguration) throws -> ServerConfiguration {
        var updated = configuration
        for (name, value) in pairs {
            do {
                switch name {
                case "notify-keyspace-events":
                    guard KeyspaceNotifications().configure(value) else {
                        throw ConfigurationError.invalid("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
                    }
                    updated.notifyKeyspaceEvents = value
                case "requirepass": updated.requirePass = value.isEmpty ? nil : value
                case "bind":
                    // Redis's list of addresses in one argument; an empty one is the default, as in
                    // Redis (here: loopback only).
                    let addresses = value.split(separator: " ").map(String.init)
                    updated.bind = addresses.isEmpty ? ServerConfiguration().bind : addresses
                case _ where Self.tlsSettings.contains(name) && configuration.tls == nil:
                    // TLS is set up at start (--tls-port with a certificate and key): without it
                    // there is no TLS listener to configure.
                    server.logger.warning("CONFIG SET \(name): TLS is not enabled; start the server with --tls-port, --tls-cert and --tls-key")
                    throw ConfigurationError.invalid(Self.tlsUpdateFailed)
                default: try updated.apply(name, [value])
                }
            } catch {
                throw ConfigSetFailure(message: "ERR CONFIG SET failed (possibly related to argument '\(name)') - \(error)")
            }
        }
        return updated
    }

    /// The effects that come before the listeners: the TLS context (built first: it reads the
    /// files) and SQLite's synchronous mode.
    private func startEffects(of names: Set<String>, from old: ServerConfiguration, to new: ServerConfiguration) throws -> Effects {
        var effects = Effects()
        // As Redis: more clients than the open-files limit can be raised for is refused, with the
        // number that would fit.
        if names.contains("maxclients") && new.maxClients > old.maxClients {
            let outcome = OpenFilesLimit.accommodate(clients: new.maxClients, reserved: server.reservedFileDescriptors)
            if outcome.clients < new.maxClients {
                throw failure("maxclients", "The operating system is not able to handle the specified number of clients, try with \(outcome.clients)",
                              OpenFilesLimitTooLow(limit: outcome.limit))
            }
        }
        effects.tlsName = ["tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-port"].first { names.contains($0) }
        var tlsContext: NIOSSLContext?
        if let tlsName = effects.tlsName {
            do {
                tlsContext = try Listeners.makeTLSContext(new.tls)
            } catch {
                throw failure(tlsName, Self.tlsUpdateFailed, error)
            }
        }
        // appendfsync is Redis's name for it (always: FULL, everysec and no: NORMAL).
        if let name = ["synchronous", "appendfsync"].first(where: names.contains), new.synchronous != old.synchronous {
            do {
                try server.store.setSynchronous(new.synchronous)
            } catch {
                throw failure(name, "\(error)", error)
            }
            effects.previousSynchronous = old.synchronous
        }
        if effects.tlsName != nil { effects.previousTLSContext = server.listeners.setTLSContext(tlsContext) }
        return effects
    }

    /// Keeps the effects and the new settings once the listeners listen, or undoes them; answers.
    /// (Nobody else changed the settings meanwhile: CONFIG SETs take turns.)
    private func finishConfigSet(_ new: ServerConfiguration, names: Set<String>, effects: Effects, listening: Result<Void, any Error>) {
        if case .failure(let error) = listening {
            if effects.tlsName != nil { server.listeners.setTLSContext(effects.previousTLSContext) }
            if let previous = effects.previousSynchronous { try? server.store.setSynchronous(previous) }
            let failure = names.contains("bind")
                ? failure("bind", "Failed to bind to specified addresses.", error)
                : failure(names.contains("port") ? "port" : "tls-port", "Unable to listen on this port. Check server logs.", error)
            reply(.simpleError(failure.message))
            return
        }
        server.updateConfiguration { $0 = new }
        if names.contains("notify-keyspace-events") { server.store.notifications.configure(new.notifyKeyspaceEvents) }
        server.slowLog.configure(logSlowerThan: new.slowlogLogSlowerThan, maxLength: new.slowlogMaxLength)
        if names.contains("loglevel") { server.logLevel.configured = new.logLevel }
        if effects.previousSynchronous != nil { server.committer.commitsOnEventLoops = new.synchronous == .normal }
        if !names.isDisjoint(with: Self.listenerSettings) { server.logger.notice("listening on \(server.listeners.localAddresses)") }
        reply(.ok)
    }

    private func failure(_ name: String, _ message: String, _ error: any Error) -> ConfigSetFailure {
        server.logger.warning("CONFIG SET \(name) failed: \(error)")
        return ConfigSetFailure(message: "ERR CONFIG SET failed (possibly related to argument '\(name)') - \(message)")
    }

    static let settable: Set<String> = Set([
        "maxclients", "requirepass", "notify-keyspace-events", "client-query-buffer-limit", "slowlog-log-slower-than", "slowlog-max-len",
        "timeout", "tcp-keepalive", "port", "bind", "synchronous", "client-output-buffer-limit", "appendfsync", "loglevel",
        // Accepted as far as Redlite can honour them (see ServerConfiguration): a snapshot schedule
        // and the AOF switch are kept (every write is committed to the file anyway), maxmemory only
        // as 0, the eviction policy only as noeviction.
        "save", "appendonly", "maxmemory", "maxmemory-policy",
    ]).union(tlsSettings)
    static let tlsSettings: Set<String> = ["tls-port", "tls-cert-file", "tls-key-file", "tls-ca-cert-file"]
    /// The settings that decide the listeners.
    static let listenerSettings: Set<String> = ["port", "bind", "tls-port"]
    /// Settings Redis fixes at start (CONFIG SET answers "can't set immutable config").
    static let immutable: Set<String> = ["unixsocket", "unixsocketperm", "databases", "daemonize", "cluster-enabled", "io-threads"]
    /// Settings Redis protects by default (`enable-protected-configs no`).
    static let protected: Set<String> = ["dir", "dbfilename"]
    static let tlsUpdateFailed = "Unable to update TLS configuration. Check server logs."
}

/// The open-files limit cannot be raised far enough (for the log).
private struct OpenFilesLimitTooLow: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "the open-files limit can be raised to \(limit) only" }
}

/// A CONFIG SET value that cannot be applied, with Redis's reply.
private struct ConfigSetFailure: Error {
    let message: String
}
