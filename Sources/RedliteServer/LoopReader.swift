import NIOCore
import RESP
import Redlite

/// One event loop's `RedliteReader`: the reads of every connection on the loop are answered from one
/// read transaction per tick of the loop, renewed whenever a write may have become visible. The
/// snapshot ends in a task queued on the loop when it is opened, which runs once the loop has handled
/// the I/O events of this tick.
final class LoopReader: @unchecked Sendable {
    // @unchecked: every member is used on `eventLoop` only (asserted), the way NIO handlers are.
    let eventLoop: any EventLoop
    private let reader: RedliteReader
    private var endScheduled = false

    init(eventLoop: any EventLoop, reader: RedliteReader) {
        self.eventLoop = eventLoop
        self.reader = reader
    }

    func execute(_ request: [ByteBuffer], name: String, session: inout RedliteSession) -> RESPValue {
        eventLoop.assertInEventLoop()
        let reply = reader.execute(request, name: name, session: &session)
        if reader.hasOpenSnapshot && !endScheduled {
            endScheduled = true
            eventLoop.execute { [self] in
                endScheduled = false
                reader.endSnapshot()
            }
        }
        return reply
    }
}
