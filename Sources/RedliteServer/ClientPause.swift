import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// CLIENT PAUSE: the server-wide hold on clients' commands — every command, or (WRITE) those that
/// may change the data — until the pause's end time or CLIENT UNPAUSE.
///
/// A held client waits with its requests queued and is resumed when the pause ends, in the order
/// the clients were held, as Redis unblocks its postponed clients; nothing polls. While writes are
/// paused, active expiry is paused too, so the data does not change (what a failover relies on).
final class ClientPause: Sendable {
    enum Mode: Int, Sendable, Comparable {
        case none = 0, write = 1, all = 2

        static func < (lhs: Mode, rhs: Mode) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The mode in force, read for every request while one is active: an atomic, so a server that
    /// is not paused pays one relaxed load per request.
    private let current = Atomic<Int>(Mode.none.rawValue)
    private let state = NIOLockedValueBox(State())
    private let onChange: @Sendable (Mode) -> Void

    private struct State {
        var mode = Mode.none
        var endsAt = NIODeadline.distantPast
        var timer: Scheduled<Void>?
        var held: [(id: UInt64, resume: @Sendable () -> Void)] = []
    }

    /// `onChange` hears every change of mode (the store pauses active expiry with it).
    init(onChange: @escaping @Sendable (Mode) -> Void = { _ in }) {
        self.onChange = onChange
    }

    var mode: Mode { Mode(rawValue: current.load(ordering: .relaxed)) ?? .none }

    /// Clients held right now (INFO's blocked_clients counts them, as Redis counts its postponed ones).
    var heldCount: Int { state.withLockedValue { $0.held.count } }

    /// Pauses clients in `mode` until `end`; nil means an end in the past (a timeout whose end
    /// overflows, which Redis takes as ended). As in Redis, a pause while one is active keeps the
    /// stricter mode and the later end. The timer runs on `loop`.
    func pause(_ mode: Mode, until end: NIODeadline?, timerOn loop: any EventLoop) {
        let (changed, endNow) = state.withLockedValue { state -> (Mode?, Bool) in
            let before = state.mode
            state.mode = max(state.mode, mode)
            if let end, end > state.endsAt {
                state.endsAt = end
                state.timer?.cancel()
                state.timer = loop.scheduleTask(deadline: end) { [self] in endIfDue(timerOn: loop) }
            }
            current.store(state.mode.rawValue, ordering: .relaxed)
            return (state.mode != before ? state.mode : nil, state.endsAt <= .now())
        }
        if let changed { onChange(changed) }
        if endNow { unpause() }
    }

    /// The timer's end of the pause, unless a later pause moved the end since it was set.
    private func endIfDue(timerOn loop: any EventLoop) {
        let due = state.withLockedValue { state -> Bool in
            guard state.mode != .none else { return false }
            if state.endsAt <= .now() { return true }
            state.timer = loop.scheduleTask(deadline: state.endsAt) { [self] in endIfDue(timerOn: loop) }
            return false
        }
        if due { unpause() }
    }

    /// Ends the pause (CLIENT UNPAUSE, or its end time) and resumes every held client in order.
    func unpause() {
        let (resumed, wasPaused) = state.withLockedValue { state -> ([@Sendable () -> Void], Bool) in
            let wasPaused = state.mode != .none
            state.mode = .none
            state.endsAt = .distantPast
            state.timer?.cancel()
            state.timer = nil
            current.store(Mode.none.rawValue, ordering: .relaxed)
            defer { state.held = [] }
            return (state.held.map(\.resume), wasPaused)
        }
        if wasPaused { onChange(.none) }
        for resume in resumed { resume() }
    }

    /// Holds client `id` until the pause ends, when `resume` is called (on the thread that ends it).
    /// False when the pause has ended in the meantime: the client goes on at once.
    func hold(id: UInt64, resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard state.mode != .none else { return false }
            if !state.held.contains(where: { $0.id == id }) { state.held.append((id, resume)) }
            return true
        }
    }

    /// Forgets a held client that has gone.
    func release(id: UInt64) {
        state.withLockedValue { state in state.held.removeAll { $0.id == id } }
    }
}
