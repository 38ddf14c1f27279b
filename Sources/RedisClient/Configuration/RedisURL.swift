/// A URL that ``RedisConfiguration/init(url:)`` cannot read; `message` says what is wrong.
public struct RedisURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the URL.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// `invalid Redis URL: <message>`.
    public var description: String { "invalid Redis URL: \(message)" }
}

extension RedisConfiguration {
    /// Reads a configuration from a URL; everything not in the URL keeps its default.
    ///
    /// | URL | endpoint |
    /// | --- | --- |
    /// | `redis://[user:password@]host[:port][/db]` | TCP (port 6379 by default) |
    /// | `rediss://[user:password@]host[:port][/db]` | TCP with TLS, certificate verification on |
    /// | `unix:///path/to/redis.sock[?db=N]` | unix-domain socket (`unix://user:password@/path` too) |
    /// | `redlite:///path/to/file.db` | the embedded store in that file, in-process |
    /// | `redlite::memory:` | an embedded store in memory |
    ///
    /// Query items, all optional: `db`, `protocol` (`2` or `3`), `name` (client name),
    /// `timeout` and `connect_timeout` (seconds, decimals allowed). User and password are
    /// percent-decoded; a password alone is written `redis://:password@host`.
    ///
    /// ```swift
    /// let remote = try RedisConfiguration(url: "rediss://app:s3cret@cache.internal:6380/1?name=api")
    /// let local = try RedisConfiguration(url: "redlite:///var/lib/app/cache.db")
    /// ```
    ///
    /// - Throws: ``RedisURLError`` naming the part that could not be read.
    public init(url: String) throws(RedisURLError) {
        self.init()
        guard let colon = url.firstIndex(of: ":") else { throw RedisURLError("missing scheme in \"\(url)\"") }
        let scheme = url[..<colon].lowercased()
        var rest = Substring(url[url.index(after: colon)...])

        if scheme == "redlite" {
            var query: Substring = ""
            if let mark = rest.firstIndex(of: "?") {
                query = rest[rest.index(after: mark)...]
                rest = rest[..<mark]
            }
            if rest == ":memory:" || rest == "//:memory:" || rest == "///:memory:" {
                endpoint = .embedded(path: nil)
            } else if rest.hasPrefix("//") {
                let path = rest.dropFirst(2)
                guard path.hasPrefix("/"), path.count > 1 else {
                    throw RedisURLError("redlite URLs name a file as redlite:///absolute/path.db or use redlite::memory:")
                }
                endpoint = .embedded(path: try Self.percentDecoded(path))
            } else {
                throw RedisURLError("redlite URLs are redlite:///path/to/file.db or redlite::memory:")
            }
            try applyQuery(query)
            return
        }

        guard rest.hasPrefix("//") else { throw RedisURLError("expected \"//\" after \"\(scheme):\"") }
        rest = rest.dropFirst(2)
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        // Credentials: everything before the last "@" of the authority.
        let authorityEnd = scheme == "unix" ? (rest.firstIndex(of: "/") ?? rest.endIndex) : (rest.firstIndex(of: "/") ?? rest.endIndex)
        var authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let separator = credentials.firstIndex(of: ":") {
                let user = try Self.percentDecoded(credentials[..<separator])
                username = user.isEmpty ? nil : user
                password = try Self.percentDecoded(credentials[credentials.index(after: separator)...])
            } else if !credentials.isEmpty {
                // `redis://password@host` is how several clients write a bare password.
                password = try Self.percentDecoded(credentials)
            }
        }

        switch scheme {
        case "redis", "rediss":
            if scheme == "rediss" { tls = TLS() }
            let (host, port) = try Self.hostAndPort(authority)
            endpoint = .tcp(host: host, port: port)
            let databaseText = path.drop { $0 == "/" }
            if !databaseText.isEmpty {
                guard let number = Int(databaseText), number >= 0 else { throw RedisURLError("database \"\(databaseText)\" is not a number") }
                database = number
            }
        case "unix":
            guard !authority.contains(where: { $0 != " " }) else {
                throw RedisURLError("unix URLs have no host: unix:///path/to/redis.sock")
            }
            guard path.count > 1 else { throw RedisURLError("unix URL without a socket path") }
            endpoint = .unixSocket(path: try Self.percentDecoded(path))
        default:
            throw RedisURLError("unknown scheme \"\(scheme)\" (expected redis, rediss, unix or redlite)")
        }
        try applyQuery(query)
    }

    private mutating func applyQuery(_ query: Substring) throws(RedisURLError) {
        for item in query.split(separator: "&") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].lowercased()
            let value = parts.count > 1 ? try Self.percentDecoded(parts[1]) : ""
            switch name {
            case "db", "database":
                guard let number = Int(value), number >= 0 else { throw RedisURLError("database \"\(value)\" is not a number") }
                database = number
            case "protocol", "resp":
                switch value {
                case "2": protocolPreference = .resp2
                case "3": protocolPreference = .resp3
                default: throw RedisURLError("protocol must be 2 or 3, not \"\(value)\"")
                }
            case "name", "client_name", "clientname":
                clientName = value.isEmpty ? nil : value
            case "timeout", "command_timeout":
                commandTimeout = try Self.seconds(value, name)
            case "connect_timeout":
                connectTimeout = try Self.seconds(value, name)
            case "password":
                password = value
            case "username", "user":
                username = value.isEmpty ? nil : value
            default:
                throw RedisURLError("unknown option \"\(name)\"")
            }
        }
    }

    private static func seconds(_ text: String, _ name: String) throws(RedisURLError) -> Duration {
        guard let value = Double(text), value.isFinite, value > 0 else { throw RedisURLError("\(name) must be a positive number of seconds") }
        return .nanoseconds(Int64(value * 1e9))
    }

    private static func hostAndPort(_ authority: Substring) throws(RedisURLError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw RedisURLError("unclosed \"[\" in host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw RedisURLError("unexpected \"\(after)\" after host") }
        } else if let separator = authority.lastIndex(of: ":") {
            host = authority[..<separator]
            portText = authority[authority.index(after: separator)...]
        } else {
            host = authority
        }
        if host.isEmpty { host = "127.0.0.1" }
        var port = 6379
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else { throw RedisURLError("port \"\(portText)\" is not a port number") }
            port = number
        }
        return (String(host), port)
    }

    static func percentDecoded(_ text: Substring) throws(RedisURLError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = utf8.next(), let low = utf8.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { throw RedisURLError("bad percent escape in \"\(text)\"") }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
