import NIOConcurrencyHelpers

/// Turns taken one at a time across threads: whoever finds a turn running queues a closure, which is
/// called when the turn is handed to it (it then holds the turn and must `release()` it).
final class ExclusiveTurns: Sendable {
    private struct State {
        var busy = false
        var waiting: [@Sendable () -> Void] = []
    }
    private let state = NIOLockedValueBox(State())

    /// Takes the turn (true), or queues `resume` for when it is passed on (false).
    func acquire(orQueue resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard state.busy else {
                state.busy = true
                return true
            }
            state.waiting.append(resume)
            return false
        }
    }

    /// Ends the turn: it is handed to the first waiter, if any (still busy for everyone else), or is
    /// free again.
    func release() {
        let next = state.withLockedValue { state -> (@Sendable () -> Void)? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?()
    }
}
