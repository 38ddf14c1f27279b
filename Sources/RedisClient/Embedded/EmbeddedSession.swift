import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RESP
import Redlite
import Synchronization

/// The embedded transport's "socket": commands written to it are executed in order on a Redlite
/// store, off the Swift concurrency pool (SQLite calls block), and their replies delivered to the
/// connection exactly as a socket's replies are. One session per client connection, holding one
/// `RedliteSession` (selected database, protocol).
///
/// Redlite's engine has no HELLO, AUTH or CLIENT; the session answers them itself so that the
/// client's handshake runs unchanged: HELLO switches the protocol and answers Redis's HELLO map,
/// AUTH and CLIENT SETNAME succeed, CLIENT GETNAME and CLIENT ID answer.
///
/// Pub/sub goes through the store's own hub (`RedliteStore.pubsub`), shared with everything else
/// using the store in this process: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs answer
/// Redis's confirmation frames, PUBLISH and SPUBLISH answer the receiver count, and messages arrive as
/// frames outside any reply, as on a subscribed socket.
final class EmbeddedSession: Sendable {
    private struct State {
        var queue: CircularBuffer<ByteBuffer> = CircularBuffer(initialCapacity: 8)
        var running = false
        var closed = false
        var session = RedliteSession()
        var name: String?
        var sink: (any RedisReplySink)?
        var channels: Set<ByteBuffer> = []
        var patterns: Set<ByteBuffer> = []
        var shardChannels: Set<ByteBuffer> = []
        var subscriber: Redlite.PubSubHub.Subscriber?
    }

    private let store: RedliteStore
    private let threadPool: NIOThreadPool
    private let generation: UInt64
    private let clientID: Int64
    private let state: NIOLockedValueBox<State>
    private static let nextClientID = Atomic<Int64>(0)

    init(store: RedliteStore, threadPool: NIOThreadPool, generation: UInt64, sink: any RedisReplySink) {
        self.store = store
        self.threadPool = threadPool
        self.generation = generation
        self.clientID = Self.nextClientID.wrappingAdd(1, ordering: .relaxed).newValue
        var initial = State()
        initial.sink = sink
        self.state = NIOLockedValueBox(initial)
    }

    /// Queues encoded commands; starts a drain job on the thread pool unless one is running.
    func submit(_ bytes: ByteBuffer) {
        let start = state.withLockedValue { state -> Bool in
            guard !state.closed else { return false }
            state.queue.append(bytes)
            if state.running { return false }
            state.running = true
            return true
        }
        if start {
            threadPool.submit { [self] _ in drain() }
        }
    }

    /// Stops executing: anything still queued is dropped (its commands were failed by the connection).
    func close() {
        let (sink, subscriptions) = state.withLockedValue { state -> ((any RedisReplySink)?, (Redlite.PubSubHub.Subscriber, [ByteBuffer], [ByteBuffer], [ByteBuffer])?) in
            state.closed = true
            state.queue.removeAll()
            defer {
                state.sink = nil
                state.subscriber = nil
            }
            return (state.sink, state.subscriber.map { ($0, Array(state.channels), Array(state.patterns), Array(state.shardChannels)) })
        }
        if let (subscriber, channels, patterns, shardChannels) = subscriptions {
            for channel in channels { store.pubsub.unsubscribe(subscriber, channel: channel) }
            for pattern in patterns { store.pubsub.unsubscribe(subscriber, pattern: pattern) }
            for channel in shardChannels { store.pubsub.unsubscribe(subscriber, shardChannel: channel) }
        }
        sink?.linkClosed(generation: generation, reason: .connectionLost, detail: "the embedded session was closed")
    }

    private func drain() {
        var decoder = RESPValueDecoder()
        var session = state.withLockedValue { $0.session }
        var replies: [RESPValue] = []
        while true {
            let next = state.withLockedValue { state -> (ByteBuffer, (any RedisReplySink)?)? in
                state.session = session
                guard !state.closed, let bytes = state.queue.popFirst() else {
                    state.running = false
                    return nil
                }
                return (bytes, state.sink)
            }
            guard let (bytes, sink) = next else { return }
            var buffer = bytes
            while buffer.readableBytes > 0 {
                do {
                    guard let command = try decoder.decode(from: &buffer) else { break }
                    if let frames = pubsub(command, session: session) {
                        replies.append(contentsOf: frames)
                    } else {
                        replies.append(execute(command, session: &session))
                    }
                } catch {
                    replies.append(.simpleError("ERR \(error.message)"))
                    break
                }
            }
            if !replies.isEmpty {
                sink?.receive(&replies, generation: generation)
                replies.removeAll(keepingCapacity: true)
            }
        }
    }

    private func execute(_ command: RESPValue, session: inout RedliteSession) -> RESPValue {
        guard case .array(let elements) = command, !elements.isEmpty else {
            return .simpleError("ERR Protocol error: expected a command")
        }
        var arguments: [ByteBuffer] = []
        arguments.reserveCapacity(elements.count)
        for element in elements {
            guard case .bulkString(let bytes) = element else { return .simpleError("ERR Protocol error: expected bulk strings") }
            arguments.append(bytes)
        }
        if arguments[0].readableBytes >= 4, arguments[0].readableBytes <= 6 {
            switch String(buffer: arguments[0]).uppercased() {
            case "HELLO": return hello(arguments, session: &session)
            case "AUTH":
                guard arguments.count == 2 || arguments.count == 3 else {
                    return .simpleError("ERR wrong number of arguments for 'auth' command")
                }
                return .ok
            case "CLIENT": return client(arguments, session: session)
            case "QUIT": return .ok
            default: break
            }
        }
        return store.execute(arguments, session: &session)
    }

    // MARK: Pub/sub through the store's hub

    /// The frames answering a pub/sub command, or nil when `command` is not one.
    private func pubsub(_ command: RESPValue, session: RedliteSession) -> [RESPValue]? {
        guard case .array(let elements) = command, let first = elements.first, case .bulkString(let nameBytes) = first,
              nameBytes.readableBytes >= 7, nameBytes.readableBytes <= 12 else { return nil }
        let name = String(buffer: nameBytes).uppercased()
        let arguments = elements.dropFirst().compactMap { element -> ByteBuffer? in
            if case .bulkString(let bytes) = element { return bytes }
            return nil
        }
        let hub = store.pubsub
        func frame(_ parts: [RESPValue]) -> RESPValue { session.protocolVersion == .resp3 ? .push(parts) : .array(parts) }
        switch name {
        case "PUBLISH", "SPUBLISH":
            guard arguments.count == 2 else { return [.simpleError("ERR wrong number of arguments for '\(name.lowercased())' command")] }
            let receivers = name == "PUBLISH" ? hub.publish(channel: arguments[0], payload: arguments[1])
                : hub.publish(shardChannel: arguments[0], payload: arguments[1])
            return [.integer(Int64(receivers))]
        case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE":
            guard !arguments.isEmpty else { return [.simpleError("ERR wrong number of arguments for '\(name.lowercased())' command")] }
            let subscriber = subscriberForSession()
            return arguments.map { target in
                let count = state.withLockedValue { state -> Int in
                    switch name {
                    case "SUBSCRIBE": if state.channels.insert(target).inserted { hub.subscribe(subscriber, channel: target) }
                    case "PSUBSCRIBE": if state.patterns.insert(target).inserted { hub.subscribe(subscriber, pattern: target) }
                    default: if state.shardChannels.insert(target).inserted { hub.subscribe(subscriber, shardChannel: target) }
                    }
                    return name == "SSUBSCRIBE" ? state.shardChannels.count : state.channels.count + state.patterns.count
                }
                return frame([.bulk(name.lowercased()), .bulkString(target), .integer(Int64(count))])
            }
        case "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE":
            let kind = name.lowercased()
            let (targets, subscriber) = state.withLockedValue { state -> ([ByteBuffer], Redlite.PubSubHub.Subscriber?) in
                if !arguments.isEmpty { return (arguments, state.subscriber) }
                switch name {
                case "UNSUBSCRIBE": return (Array(state.channels), state.subscriber)
                case "PUNSUBSCRIBE": return (Array(state.patterns), state.subscriber)
                default: return (Array(state.shardChannels), state.subscriber)
                }
            }
            if targets.isEmpty { return [frame([.bulk(kind), session.protocolVersion == .resp3 ? .null : .nullBulkString, .integer(0)])] }
            return targets.map { target in
                let count = state.withLockedValue { state -> Int in
                    switch name {
                    case "UNSUBSCRIBE": if state.channels.remove(target) != nil, let subscriber { hub.unsubscribe(subscriber, channel: target) }
                    case "PUNSUBSCRIBE": if state.patterns.remove(target) != nil, let subscriber { hub.unsubscribe(subscriber, pattern: target) }
                    default: if state.shardChannels.remove(target) != nil, let subscriber { hub.unsubscribe(subscriber, shardChannel: target) }
                    }
                    return name == "SUNSUBSCRIBE" ? state.shardChannels.count : state.channels.count + state.patterns.count
                }
                return frame([.bulk(kind), .bulkString(target), .integer(Int64(count))])
            }
        default:
            return nil
        }
    }

    /// This session's subscriber on the store's hub: messages become frames delivered outside any
    /// reply, on the publisher's thread (the connection orders them under its own lock).
    private func subscriberForSession() -> Redlite.PubSubHub.Subscriber {
        state.withLockedValue { state in
            if let subscriber = state.subscriber { return subscriber }
            let generation = self.generation
            let subscriber = Redlite.PubSubHub.Subscriber { [weak self] message in
                guard let self else { return }
                let (sink, resp3) = self.state.withLockedValue { state in
                    (state.closed ? nil : state.sink, state.session.protocolVersion == .resp3)
                }
                let parts: [RESPValue]
                switch message.kind {
                case .message: parts = [.bulk("message"), .bulkString(message.channel), .bulkString(message.payload)]
                case .patternMessage(let pattern): parts = [.bulk("pmessage"), .bulkString(pattern), .bulkString(message.channel), .bulkString(message.payload)]
                case .shardMessage: parts = [.bulk("smessage"), .bulkString(message.channel), .bulkString(message.payload)]
                }
                var frames: [RESPValue] = [resp3 ? .push(parts) : .array(parts)]
                sink?.receive(&frames, generation: generation)
            }
            state.subscriber = subscriber
            return subscriber
        }
    }

    private func hello(_ arguments: [ByteBuffer], session: inout RedliteSession) -> RESPValue {
        var version = session.protocolVersion
        var index = 1
        if arguments.count > 1 {
            switch String(buffer: arguments[1]) {
            case "2": version = .resp2
            case "3": version = .resp3
            default:
                return Int(String(buffer: arguments[1])) == nil
                    ? .simpleError("ERR Protocol version is not an integer or out of range")
                    : .simpleError("NOPROTO unsupported protocol version")
            }
            index = 2
        }
        var name: String?
        while index < arguments.count {
            let option = String(buffer: arguments[index]).uppercased()
            if option == "AUTH", index + 2 < arguments.count {
                index += 3
            } else if option == "SETNAME", index + 1 < arguments.count {
                name = String(buffer: arguments[index + 1])
                index += 2
            } else {
                return .simpleError("ERR Syntax error in HELLO option '\(String(buffer: arguments[index]))'")
            }
        }
        if let name { state.withLockedValue { $0.name = name } }
        session.protocolVersion = version
        let fields: [(String, RESPValue)] = [
            ("server", .bulk("redis")), ("version", .bulk("7.0.15")), ("proto", .integer(Int64(version.rawValue))),
            ("id", .integer(clientID)), ("mode", .bulk("standalone")), ("role", .bulk("master")), ("modules", .array([])),
        ]
        if version == .resp3 {
            return .map(fields.map { RESPValue.Pair(.bulk($0.0), $0.1) })
        }
        return .array(fields.flatMap { [RESPValue.bulk($0.0), $0.1] })
    }

    private func client(_ arguments: [ByteBuffer], session: RedliteSession) -> RESPValue {
        guard arguments.count >= 2 else { return .simpleError("ERR wrong number of arguments for 'client' command") }
        switch String(buffer: arguments[1]).uppercased() {
        case "SETNAME":
            guard arguments.count == 3 else { return .simpleError("ERR wrong number of arguments for 'client|setname' command") }
            let name = String(buffer: arguments[2])
            state.withLockedValue { $0.name = name.isEmpty ? nil : name }
            return .ok
        case "GETNAME":
            let name = state.withLockedValue { $0.name }
            return name.map { .bulk($0) } ?? (session.protocolVersion == .resp3 ? .null : .nullBulkString)
        case "ID":
            return .integer(clientID)
        default:
            return .simpleError("ERR unknown subcommand '\(String(buffer: arguments[1]))'. Try CLIENT HELP.")
        }
    }
}
