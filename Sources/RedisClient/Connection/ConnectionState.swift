import NIOCore
import RESP

typealias ReplyResult = Result<RESPValue, RedisClientError>
typealias SingleContinuation = UnsafeContinuation<ReplyResult, Never>
typealias PipelineContinuation = UnsafeContinuation<[ReplyResult], Never>

/// Who is waiting for the replies of one queued or written entry.
enum Waiter {
    /// One command, one reply.
    case single(SingleContinuation)
    /// An explicit pipeline: `expected` replies, collected in order, resumed once when complete.
    case pipeline(PipelineContinuation, results: [ReplyResult], expected: Int)
    /// The caller has gone (cancelled, or the entry belonged to a reset): the next `remaining`
    /// replies are read and dropped, so later replies still meet their own commands.
    case abandoned(remaining: Int)

    var replyCount: Int {
        switch self {
        case .single: return 1
        case .pipeline(_, let results, let expected): return expected - results.count
        case .abandoned(let remaining): return remaining
        }
    }
}

/// A continuation to resume once the state lock is released.
enum Resumption {
    case single(SingleContinuation, ReplyResult)
    case pipeline(PipelineContinuation, [ReplyResult])

    @inline(__always)
    func resume() {
        switch self {
        case .single(let continuation, let result): continuation.resume(returning: result)
        case .pipeline(let continuation, let results): continuation.resume(returning: results)
        }
    }

    /// Completes `waiter` with `error` for every reply it still expects.
    static func failing(_ waiter: Waiter, with error: RedisClientError) -> Resumption? {
        switch waiter {
        case .single(let continuation): return .single(continuation, .failure(error))
        case .pipeline(let continuation, var results, let expected):
            while results.count < expected { results.append(.failure(error)) }
            return .pipeline(continuation, results)
        case .abandoned: return nil
        }
    }
}

/// A command written (or coalesced into the next write) and waiting for its reply.
struct InFlight {
    var id: UInt64
    var waiter: Waiter
    var deadline: NIODeadline
}

/// A command issued while the connection was down, waiting to be written after the handshake.
struct Queued {
    var id: UInt64
    var bytes: ByteBuffer
    var waiter: Waiter
    var deadline: NIODeadline
    var commandCount: Int
}

/// The link a connection's commands travel over while it is up.
enum Link: Sendable {
    case channel(any Channel)
    case embedded(EmbeddedSession)

    /// Writes (and flushes) `bytes`. Called on the connection's event loop.
    func write(_ bytes: ByteBuffer) {
        switch self {
        case .channel(let channel): channel.writeAndFlush(bytes, promise: nil)
        case .embedded(let session): session.submit(bytes)
        }
    }

    func close() {
        switch self {
        case .channel(let channel): channel.close(mode: .all, promise: nil)
        case .embedded(let session): session.close()
        }
    }
}

/// Everything a ``RedisConnection`` keeps, guarded by one lock. Every method is non-blocking and
/// returns what must be done after the lock is released (continuations to resume, a flush to
/// schedule): nothing is resumed while the lock is held.
struct ConnectionState {
    enum Phase {
        /// Created; `connect` has not run yet. Commands queue.
        case idle
        /// A connect attempt (TCP, TLS, opening the store) is running. Commands queue.
        case connecting
        /// Connected; HELLO/AUTH/SELECT/SETNAME are in flight. User commands queue.
        case handshaking(Link)
        /// Up: commands are written as they come, coalesced per event-loop tick.
        case ready(Link)
        /// Down; a reconnect is scheduled. Commands queue.
        case waiting
        /// Closed for good. Commands fail with `.disconnected(.closed)`.
        case closed
    }

    var phase: Phase = .idle
    /// Identifies the current link: replies and close notifications from older links are ignored.
    var generation: UInt64 = 0
    var inFlight = CircularBuffer<InFlight>(initialCapacity: 64)
    var offline = CircularBuffer<Queued>(initialCapacity: 16)
    var offlineCommandCount = 0
    /// Bytes of commands appended since the last flush: they go out in one write.
    var outbound = ByteBuffer()
    var flushScheduled = false
    var protocolVersion: RESPVersion = .resp2
    var connector: Task<Void, Never>?

    var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    var link: Link? {
        switch phase {
        case .handshaking(let link), .ready(let link): return link
        default: return nil
        }
    }

    enum EnqueueOutcome {
        case queued
        case scheduleFlush
        case fail(RedisClientError)
    }

    /// A user command (or pipeline) arrives.
    mutating func enqueue(id: UInt64, bytes: ByteBuffer, waiter: Waiter, deadline: NIODeadline, commandCount: Int, offlineLimit: Int) -> EnqueueOutcome {
        switch phase {
        case .ready:
            inFlight.append(InFlight(id: id, waiter: waiter, deadline: deadline))
            outbound.writeImmutableBuffer(bytes)
            if flushScheduled { return .queued }
            flushScheduled = true
            return .scheduleFlush
        case .closed:
            return .fail(.disconnected(.closed))
        case .idle, .connecting, .handshaking, .waiting:
            guard offlineCommandCount + commandCount <= offlineLimit else { return .fail(.disconnected(.offlineQueueFull)) }
            offline.append(Queued(id: id, bytes: bytes, waiter: waiter, deadline: deadline, commandCount: commandCount))
            offlineCommandCount += commandCount
            return .queued
        }
    }

    /// An internal handshake command on link `generation`, written before anything queued.
    mutating func enqueueHandshake(generation: UInt64, bytes: ByteBuffer, continuation: SingleContinuation, deadline: NIODeadline) -> EnqueueOutcome {
        guard generation == self.generation, case .handshaking = phase else {
            return .fail(.connection(.connectionLost(reason: "the connection closed during the handshake")))
        }
        inFlight.append(InFlight(id: 0, waiter: .single(continuation), deadline: deadline))
        outbound.writeImmutableBuffer(bytes)
        if flushScheduled { return .queued }
        flushScheduled = true
        return .scheduleFlush
    }

    /// Bytes of a command whose answers arrive out of band (the pub/sub subscriber connection's
    /// SUBSCRIBE/UNSUBSCRIBE family): written only when ready, with no entry waiting for a reply.
    /// Refused (`.fail`) while the link is not ready; the caller re-sends after the next handshake.
    mutating func enqueueWithoutReply(bytes: ByteBuffer) -> EnqueueOutcome {
        guard case .ready = phase else {
            return .fail(isClosed ? .disconnected(.closed) : .connection(.connectionLost(reason: "the connection is not ready")))
        }
        outbound.writeImmutableBuffer(bytes)
        if flushScheduled { return .queued }
        flushScheduled = true
        return .scheduleFlush
    }

    /// The handshake succeeded: the link becomes ready and the offline queue is written behind it.
    mutating func becomeReady(generation: UInt64, link: Link) -> (ready: Bool, flush: Bool) {
        guard generation == self.generation, case .handshaking = phase else { return (false, false) }
        phase = .ready(link)
        while let queued = offline.popFirst() {
            inFlight.append(InFlight(id: queued.id, waiter: queued.waiter, deadline: queued.deadline))
            outbound.writeImmutableBuffer(queued.bytes)
        }
        offlineCommandCount = 0
        guard outbound.readableBytes > 0, !flushScheduled else { return (true, false) }
        flushScheduled = true
        return (true, true)
    }

    /// Takes the bytes to write now.
    mutating func takeOutbound() -> (Link, ByteBuffer)? {
        flushScheduled = false
        guard outbound.readableBytes > 0, let link else { return nil }
        let bytes = outbound
        outbound = ByteBuffer()
        return (link, bytes)
    }

    /// Matches one reply to the oldest waiting entry. Returns false when nothing waits for it.
    @inline(__always)
    mutating func deliver(_ value: RESPValue, into resumptions: inout [Resumption]) -> Bool {
        guard let index = inFlight.indices.first else { return false }
        switch inFlight[index].waiter {
        case .single(let continuation):
            inFlight.removeFirst()
            resumptions.append(.single(continuation, .success(value)))
        case .abandoned(let remaining):
            if remaining <= 1 {
                inFlight.removeFirst()
            } else {
                inFlight[index].waiter = .abandoned(remaining: remaining - 1)
            }
        case .pipeline(let continuation, var results, let expected):
            inFlight[index].waiter = .abandoned(remaining: 0)  // release the array so `results` is unique
            results.append(.success(value))
            if results.count == expected {
                inFlight.removeFirst()
                resumptions.append(.pipeline(continuation, results))
            } else {
                inFlight[index].waiter = .pipeline(continuation, results: results, expected: expected)
            }
        }
        return true
    }

    /// Fails every in-flight entry: those past `expiredBy` with `.timeout(.reply)`, the rest with
    /// `error`. Bytes not yet flushed belonged to them and are dropped.
    mutating func failInFlight(with error: RedisClientError, expiredBy now: NIODeadline?, into resumptions: inout [Resumption]) {
        while let entry = inFlight.popFirst() {
            let failure: RedisClientError = if let now, entry.deadline <= now { .timeout(.reply) } else { error }
            if let resumption = Resumption.failing(entry.waiter, with: failure) { resumptions.append(resumption) }
        }
        outbound.clear()
    }

    /// Fails every queued entry with `error`.
    mutating func failOffline(with error: RedisClientError, into resumptions: inout [Resumption]) {
        while let entry = offline.popFirst() {
            if let resumption = Resumption.failing(entry.waiter, with: error) { resumptions.append(resumption) }
        }
        offlineCommandCount = 0
    }

    /// Withdraws entry `id` for a cancelled task. A queued entry is removed (never sent); an
    /// in-flight one is abandoned (its replies will be dropped).
    mutating func cancel(id: UInt64) -> Resumption? {
        if let index = offline.firstIndex(where: { $0.id == id }) {
            let entry = offline.remove(at: index)
            offlineCommandCount -= entry.commandCount
            return Resumption.failing(entry.waiter, with: .cancelled)
        }
        if let index = inFlight.firstIndex(where: { $0.id == id }) {
            let waiter = inFlight[index].waiter
            inFlight[index].waiter = .abandoned(remaining: waiter.replyCount)
            return Resumption.failing(waiter, with: .cancelled)
        }
        return nil
    }

    /// Fails queued entries whose deadline passed (`.timeout(.write)`: never sent) and tells whether
    /// an in-flight entry is overdue (the link must be reset).
    mutating func sweep(now: NIODeadline, into resumptions: inout [Resumption]) -> Bool {
        if !offline.isEmpty, offline.contains(where: { $0.deadline <= now }) {
            var kept = CircularBuffer<Queued>(initialCapacity: offline.count)
            while let entry = offline.popFirst() {
                if entry.deadline <= now {
                    offlineCommandCount -= entry.commandCount
                    if let resumption = Resumption.failing(entry.waiter, with: .timeout(.write)) { resumptions.append(resumption) }
                } else {
                    kept.append(entry)
                }
            }
            offline = kept
        }
        return inFlight.contains { $0.deadline <= now }
    }
}
