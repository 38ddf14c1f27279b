import NIOCore
import RESP
import Redlite

/// One event loop's `RedliteReader`: the reads of every connection on the loop are answered from one
/// read transaction, kept for as long as no commit may have become visible (the reader checks that on
/// every read) and ended once the loop has answered no read for `idleLimit`.
///
/// Ending it at every tick of the loop instead (as this did first) cost a read transaction's end and
/// start, with their file-lock system calls, every few reads: about 5 % of a GET's server CPU. Ending
/// it when idle keeps an unused snapshot from holding back checkpoints (they cannot copy WAL frames
/// newer than a reader's snapshot, nor reset the WAL under it) for longer than a few milliseconds.
final class LoopReader: @unchecked Sendable {
    // @unchecked: every member is used on `eventLoop` only (asserted), the way NIO handlers are.
    let eventLoop: any EventLoop
    private let reader: RedliteReader
    private var idleCheck: Scheduled<Void>?
    private var readSinceCheck = false

    /// How long an open snapshot may go unused before it ends.
    static let idleLimit = TimeAmount.milliseconds(2)

    init(eventLoop: any EventLoop, reader: RedliteReader) {
        self.eventLoop = eventLoop
        self.reader = reader
    }

    /// Whether a snapshot is open (tests read it).
    var hasOpenSnapshot: Bool { reader.hasOpenSnapshot }

    func execute(_ request: [ByteBuffer], name: String, session: inout RedliteSession) -> RESPValue {
        eventLoop.assertInEventLoop()
        let reply = reader.execute(request, name: name, session: &session)
        readSinceCheck = true
        if idleCheck == nil && reader.hasOpenSnapshot { scheduleIdleCheck() }
        return reply
    }

    private func scheduleIdleCheck() {
        idleCheck = eventLoop.scheduleTask(in: Self.idleLimit) { [self] in
            idleCheck = nil
            guard reader.hasOpenSnapshot else { return }
            if readSinceCheck {
                readSinceCheck = false
                scheduleIdleCheck()
            } else {
                reader.endSnapshot()
            }
        }
    }
}
