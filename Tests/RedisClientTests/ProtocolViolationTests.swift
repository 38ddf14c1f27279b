import NIOCore
import NIOPosix
import RESP
@testable import RedisClient
import Testing

/// A misbehaving server on loopback: answers HELLO as Redis 5 does (unknown command), then
/// follows `script` for every other command.
final class FakeServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(script: @escaping @Sendable (String) -> String) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FakeHandler(script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func stop() async { try? await channel.close().get() }

    private final class FakeHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let script: @Sendable (String) -> String
        var decoder = RESPValueDecoder()
        var buffer = ByteBuffer()
        init(script: @escaping @Sendable (String) -> String) { self.script = script }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            buffer.writeBuffer(&incoming)
            while let command = try? decoder.decode(from: &buffer) {
                let name = command.elements?.first?.string?.uppercased() ?? ""
                let reply = name == "HELLO" ? "-ERR unknown command 'HELLO'\r\n" : script(name)
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
            }
        }
    }
}

@Suite("Protocol violations")
struct ProtocolViolationTests {
    @Test("a reply nobody waits for resets the connection; RESP2 is used when HELLO is refused")
    func unexpectedReply() async throws {
        // PING is answered twice: the second reply belongs to no command.
        let server = try await FakeServer { name in name == "PING" ? "+PONG\r\n+PONG\r\n" : "+OK\r\n" }
        try await bounded(30) {
            let client = try await RedisClient.connect(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: server.port)))
            #expect(client.connection.protocolVersion == .resp2)
            let recorder = EventRecorder(client.events)
            #expect(try await client.ping() == "PONG")
            #expect(await recorder.waitFor { if case .error(.protocolViolation) = $0 { true } else { false } })
            #expect(await recorder.waitFor { $0 == .disconnected(reason: .connectionLost) })
            #expect(await recorder.waitFor { $0 == .connected })
            await client.close()
        }
        await server.stop()
    }

    @Test("bytes that are not RESP fail the pending commands as protocol errors")
    func malformedReply() async throws {
        let server = try await FakeServer { name in name == "GET" ? "@garbage\r\n" : "+OK\r\n" }
        try await bounded(30) {
            let client = try await RedisClient.connect(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: server.port)))
            do throws(RedisClientError) {
                _ = try await client.send("GET", "x")
                Issue.record("a malformed reply was accepted")
            } catch {
                #expect(error.category == .protocol, "got \(error)")
            }
            await client.close()
        }
        await server.stop()
    }
}
