import Foundation
import RESP
@testable import RedisClient
import RedisTestSupport
import Testing

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl CLI.
struct ClientTestCertificates {
    let directory: TemporaryDirectory
    var ca: String { directory.path("ca.crt") }
    var serverCertificate: String { directory.path("server.crt") }
    var serverKey: String { directory.path("server.key") }
    var clientCertificate: String { directory.path("client.crt") }
    var clientKey: String { directory.path("client.key") }
    var otherCA: String { directory.path("other-ca.crt") }

    /// Made on a thread of its own (`offloaded`): six openssl runs, RSA key generation among them,
    /// would otherwise hold a cooperative thread for seconds.
    static func make() async throws -> ClientTestCertificates {
        try await offloaded { try makeBlocking() }
    }

    private static func makeBlocking() throws -> ClientTestCertificates {
        let certificates = ClientTestCertificates(directory: try TemporaryDirectory())
        let d = certificates.directory
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
                          "-keyout", d.path("ca.key"), "-out", d.path("ca.crt")])
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA",
                          "-keyout", d.path("other-ca.key"), "-out", d.path("other-ca.crt")])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: d.path("san.ext"), atomically: true, encoding: .utf8)
        for name in ["server", "client"] {
            try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(name)",
                              "-keyout", d.path("\(name).key"), "-out", d.path("\(name).csr")])
            try Self.openssl(["x509", "-req", "-in", d.path("\(name).csr"), "-CA", d.path("ca.crt"), "-CAkey", d.path("ca.key"),
                              "-CAcreateserial", "-days", "2", "-extfile", d.path("san.ext"), "-out", d.path("\(name).crt")])
        }
        return certificates
    }

    /// Runs the openssl CLI, killed after a minute.
    private static func openssl(_ arguments: [String]) throws {
        let (status, output) = try ChildProcess.run(["/usr/bin/openssl"] + arguments, timeout: .seconds(60))
        guard status == 0 else { throw OpenSSLFailure(description: "openssl \(arguments.first ?? "") failed with status \(status): \(output)") }
    }
}

struct OpenSSLFailure: Error, CustomStringConvertible {
    var description: String
}

@Suite("TLS", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct TLSTests {
    @Test("rediss:// with the test CA: commands work; client certificates are sent when required")
    func verifiedConnection() async throws {
        let certificates = try await ClientTestCertificates.make()
        let server = try RedisServer.start(.init(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey,
                                                             caCertificate: certificates.ca, authClients: "yes")))
        defer { server.stop() }
        let port = try #require(server.tlsPort)
        try await bounded(30) {
            var configuration = try RedisConfiguration(url: "rediss://127.0.0.1:\(port)")
            configuration.tls?.caCertificatePath = certificates.ca
            configuration.tls?.certificatePath = certificates.clientCertificate
            configuration.tls?.privateKeyPath = certificates.clientKey
            let client = try await RedisClient.connect(configuration: configuration)
            #expect(try await client.ping() == "PONG")
            try await client.set("tls:key", "secret")
            #expect(try await client.getString("tls:key") == "secret")
            // The pool's connections inherit TLS.
            let viaPool = try await client.withConnection { connection in try await connection.getString("tls:key") }
            #expect(viaPool == "secret")
            await client.close()
        }
    }

    @Test("a certificate that does not verify is a clear TLS error")
    func verificationFailure() async throws {
        let certificates = try await ClientTestCertificates.make()
        let server = try RedisServer.start(.init(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey,
                                                             caCertificate: certificates.ca, authClients: "no")))
        defer { server.stop() }
        let port = try #require(server.tlsPort)
        try await bounded(30) {
            var configuration = try RedisConfiguration(url: "rediss://127.0.0.1:\(port)")
            configuration.tls?.caCertificatePath = certificates.otherCA  // trusts a different CA
            do throws(RedisClientError) {
                _ = try await RedisClient.connect(configuration: configuration)
                Issue.record("connected although the certificate does not verify")
            } catch {
                guard case .connection(.tlsHandshakeFailed(let reason)) = error else {
                    Issue.record("expected a TLS handshake failure, got \(error)")
                    return
                }
                #expect(reason.localizedCaseInsensitiveContains("certificate"), "reason: \(reason)")
            }
            // With verification off (test servers only) the same server is reachable.
            configuration.tls?.verifyCertificate = false
            let client = try await RedisClient.connect(configuration: configuration)
            #expect(try await client.ping() == "PONG")
            await client.close()
        }
    }
}
