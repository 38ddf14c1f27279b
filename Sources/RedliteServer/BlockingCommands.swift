import Foundation
import NIOCore
import RESP
import Redlite

/// BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP.
///
/// Each is its non-blocking form (LMPOP, LMOVE, ZMPOP…) tried once on the writer; when that finds
/// nothing, the client is registered with the engine's `BlockingRegistry` in the same step (so no
/// write can slip in between), and is served first come, first served after a later commit writes one
/// of its keys. A timeout or a disconnect cancels the wait and leaves nothing behind.
extension ClientConnection {
    static let blockingCommands: Set<String> = ["blpop", "brpop", "blmove", "brpoplpush", "blmpop", "bzpopmin", "bzpopmax", "bzmpop"]

    /// The parsed form of a blocking command: its keys, timeout, the non-blocking attempt and the
    /// reply on timeout.
    struct BlockingPlan {
        var keys: [ByteBuffer]
        var timeout: Double
        /// The non-blocking request whose reply (transformed) answers the client.
        var request: [ByteBuffer]
        var transform: @Sendable (RESPValue) -> RESPValue?
        var timeoutReply: RESPValue
    }

    /// Redis's timeout argument: seconds as a float, not negative.
    ///
    /// Redis 7.0 converts the milliseconds to a `long long`; past its range (`inf`, `1e308`,
    /// 9223372036854775807 seconds) the conversion comes out negative on x86 and Redis answers
    /// "timeout is negative", as here. Below it, a timeout longer than the event loop's clock can
    /// count (about 292 years) waits until served.
    static func parseTimeout(_ raw: ByteBuffer) throws(RedisError) -> Double {
        guard let value = Double(String(buffer: raw)), !value.isNaN else { throw RedisError("ERR timeout is not a float or out of range") }
        guard value >= 0, value * 1000 < 9.223_372_036_854_775_807e18 else { throw RedisError("ERR timeout is negative") }
        return value
    }

    /// The timer for a blocking timeout in seconds: nil for "until served" (0, or longer than
    /// NIO's nanosecond clock can count).
    static func timerAmount(seconds: Double) -> TimeAmount? {
        let nanoseconds = seconds * 1_000_000_000
        guard seconds > 0, nanoseconds < 9.2e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }

    static func blockingPlan(_ name: String, _ request: [ByteBuffer]) throws(RedisError) -> BlockingPlan {
        func word(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
        switch name {
        case "blpop", "brpop", "bzpopmin", "bzpopmax":
            let timeout = try parseTimeout(request[request.count - 1])
            let keys = Array(request[1..<(request.count - 1)])
            let list = name == "blpop" || name == "brpop"
            let side = name == "blpop" ? "LEFT" : name == "brpop" ? "RIGHT" : name == "bzpopmin" ? "MIN" : "MAX"
            let attempt = [word(list ? "LMPOP" : "ZMPOP"), word(String(keys.count))] + keys + [word(side)]
            return BlockingPlan(keys: keys, timeout: timeout, request: attempt, transform: { reply in
                if reply.isError { return reply }
                guard let parts = reply.elements, parts.count == 2, let popped = parts[1].elements?.first else { return nil }
                if list { return .array([parts[0], popped]) }
                return .array([parts[0]] + (popped.elements ?? []))
            }, timeoutReply: .nullArray)
        case "blmove", "brpoplpush":
            let timeout = try parseTimeout(request[request.count - 1])
            var attempt = [word("LMOVE"), request[1], request[2]]
            if name == "blmove" {
                for index in [3, 4] {
                    let side = request[index].lowercasedASCII
                    guard side == "left" || side == "right" else { throw .syntax }
                    attempt.append(request[index])
                }
            } else {
                attempt += [word("RIGHT"), word("LEFT")]
            }
            return BlockingPlan(keys: [request[1]], timeout: timeout, request: attempt, transform: { reply in
                reply.isNull ? nil : reply
            }, timeoutReply: .nullBulkString)
        default:  // blmpop, bzmpop: timeout numkeys key… LEFT|RIGHT / MIN|MAX [COUNT n]
            let timeout = try parseTimeout(request[1])
            let attempt = [word(name == "blmpop" ? "LMPOP" : "ZMPOP")] + Array(request[2...])
            let count = Int(String(buffer: request[2])) ?? 0
            let keys = count > 0 && 3 + count <= request.count ? Array(request[3..<(3 + count)]) : []
            return BlockingPlan(keys: keys, timeout: timeout, request: attempt, transform: { reply in
                reply.isNull ? nil : reply
            }, timeoutReply: .nullArray)
        }
    }

    /// Runs a blocking command: an immediate answer if there is one, otherwise a wait.
    func block(_ name: String, _ request: [ByteBuffer]) {
        let plan: BlockingPlan
        do {
            plan = try Self.blockingPlan(name, request)
        } catch {
            reply(.simpleError(error.message))
            return
        }
        guard context != nil else { return }
        let session = self.session
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let transform = plan.transform
        let attemptRequest = plan.request
        let waiter = BlockingRegistry.Waiter(
            keys: plan.keys.map { .init(database: session.database, key: $0) },
            attempt: { transaction in
                var copy = session
                return transform(transaction.execute(attemptRequest, session: &copy))
            },
            complete: { reply in eventLoop.execute { bound.value.finishBlocked(reply) } }
        )
        let registry = server.store.blocking
        blockedWaiter = waiter
        let timeoutReply = plan.timeoutReply
        let timeout = plan.timeout
        // INFO commandstats counts the first attempt's execution, as Redis counts a blocking
        // command's call without its time blocked (the slow log leaves blocking commands out).
        let statistics = server.routes[name].statistics
        commit(work: { transaction, session in
            let started = DispatchTime.now().uptimeNanoseconds
            let reply = waiter.attempt(transaction)
            statistics?.ran(nanoseconds: DispatchTime.now().uptimeNanoseconds - started, failed: reply?.isError ?? false)
            if let reply { return reply }
            registry.register(waiter)
            return Self.blockedMarker
        }, then: { reply in
            // Runs on the event loop, right after the writer's answer.
            let connection = bound.value
            guard reply == Self.blockedMarker else {
                connection.blockedWaiter = nil
                return
            }
            guard connection.blockedWaiter === waiter else {
                // Already served, or the client went away between submitting this and the writer's
                // registration (its cancel found nothing to cancel then): the registration must not
                // outlive it, or a later push would hand an element to nobody.
                registry.cancel(waiter)
                return
            }
            connection.handle.update { $0.blocked = true }
            // Whoever cancels the registration first (the timeout, CLIENT UNBLOCK) ends the block.
            connection.handle.unblocker.withLockedValue { unblocker in
                unblocker = { withError in
                    guard registry.cancel(waiter) else { return false }
                    eventLoop.execute { bound.value.finishBlocked(withError ? Self.unblockedError : timeoutReply) }
                    return true
                }
            }
            if let amount = Self.timerAmount(seconds: timeout) {
                connection.handle.update { $0.blockedWithTimeout = true }
                connection.blockTimeout = eventLoop.scheduleTask(in: amount) {
                    guard registry.cancel(waiter) else { return }
                    bound.value.finishBlocked(timeoutReply)
                }
            }
        })
    }

    /// A blocked client gets its answer (served, or timed out) and moves on to its next request.
    func finishBlocked(_ value: RESPValue) {
        guard blockedWaiter != nil else { return }
        blockedWaiter = nil
        blockTimeout?.cancel()
        blockTimeout = nil
        waitingForCommit = false
        handle.update {
            $0.blocked = false
            $0.blockedWithTimeout = false
        }
        handle.unblocker.withLockedValue { $0 = nil }
        reply(value)
        processPending()
    }

    /// The answer of a client unblocked by CLIENT UNBLOCK … ERROR.
    static let unblockedError = RESPValue.simpleError("UNBLOCKED client unblocked via CLIENT UNBLOCK")

    /// Marks "registered, no reply yet" between the writer and the connection.
    static let blockedMarker = RESPValue.attributed([.init(.bulk("redlite-blocked"), .null)], .null)
}
