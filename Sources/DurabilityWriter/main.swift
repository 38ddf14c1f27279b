// A helper for the durability tests: writes `SET key:N value:N` to a Redlite store as fast as it can
// and prints `ack N` after each write has committed. The test kills it with SIGKILL mid-stream and
// checks that every acknowledged write survived.
//
//     DurabilityWriter <database-path> [synchronous: normal|full]

import Foundation
import NIOCore
import Redlite

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: DurabilityWriter <database-path> [normal|full]\n".utf8))
    exit(2)
}
var configuration = RedliteStore.Configuration()
if arguments.count >= 3, arguments[2] == "full" { configuration.synchronous = .full }
let store = try RedliteStore.open(path: arguments[1], configuration: configuration)
var session = RedliteSession()
let output = FileHandle.standardOutput
for index in 0..<10_000_000 {
    let reply = store.execute(["SET", "key:\(index)", "value:\(index)"].map { ByteBuffer(string: $0) }, session: &session)
    guard reply == .simpleString("OK") else {
        FileHandle.standardError.write(Data("write \(index) failed: \(reply)\n".utf8))
        exit(1)
    }
    // Unbuffered: the acknowledgement leaves the process only after the write has committed.
    output.write(Data("ack \(index)\n".utf8))
}
