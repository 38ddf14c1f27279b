public import NIOCore

/// A `TaskExecutor` that runs jobs on one NIO event loop.
///
/// With `withTaskExecutorPreference(connection.taskExecutor) { … }`, tasks that send commands run
/// on the same thread that writes to the socket and reads the replies: a command's submission,
/// its write and its continuation's resumption all happen there, with no hop between Swift's
/// cooperative pool and the event loop. `scripts/bench-client` measures the difference; the
/// README gives the numbers. (In the swift-nio version this package resolves, event loops are
/// `SerialExecutor`s but not `TaskExecutor`s; this adapter fills the gap.)
///
/// ```swift
/// await withTaskExecutorPreference(client.taskExecutor) {
///     await withTaskGroup(of: Void.self) { group in
///         for worker in 0..<50 { group.addTask { _ = try? await client.send("INCR", "n:\(worker)") } }
///     }
/// }
/// ```
///
/// Do not run blocking work under this preference: it would block the event loop and every
/// connection on it.
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    /// An executor for `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the event loop (after the tasks already queued there).
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
