public import Foundation

/// A certificate authority and a server certificate for 127.0.0.1/localhost, made with the openssl
/// CLI at test time (nothing secret is committed). Files live in a temporary directory removed at
/// deinit.
public final class TestCertificates: Sendable {
    public let directory: URL
    public var caCertificate: String { directory.appendingPathComponent("ca.crt").path }
    public var caKey: String { directory.appendingPathComponent("ca.key").path }
    public var certificate: String { directory.appendingPathComponent("server.crt").path }
    public var key: String { directory.appendingPathComponent("server.key").path }
    /// A second, unrelated CA: a client that trusts only this one must refuse the server.
    public var otherCACertificate: String { directory.appendingPathComponent("other-ca.crt").path }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let openssl = ChildProcess.locate("openssl") else {
            throw RedisServerError.failedToStart(log: "openssl is not installed: run scripts/setup")
        }
        let extensions = directory.appendingPathComponent("san.cnf").path
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Redlite Test CA", "-keyout", caKey, "-out", caCertificate],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", directory.appendingPathComponent("server.csr").path],
            ["x509", "-req", "-in", directory.appendingPathComponent("server.csr").path, "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial",
             "-days", "2", "-extfile", extensions, "-out", certificate],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA",
             "-keyout", directory.appendingPathComponent("other-ca.key").path, "-out", otherCACertificate],
        ]
        for step in steps {
            let result = try ChildProcess.run([openssl] + step, timeout: .seconds(60))
            guard result.status == 0 else { throw RedisServerError.failedToStart(log: "openssl \(step.joined(separator: " ")): \(result.output)") }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
