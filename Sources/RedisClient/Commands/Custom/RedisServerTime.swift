/// The server's clock as `TIME` reports it.
public struct RedisServerTime: Sendable, Hashable, CustomStringConvertible {
    /// Seconds since the Unix epoch.
    public var seconds: Int
    /// Microseconds within the second (0 ..< 1,000,000).
    public var microseconds: Int

    /// A time from seconds and microseconds.
    public init(seconds: Int, microseconds: Int) {
        self.seconds = seconds
        self.microseconds = microseconds
    }

    /// The time as a duration since the Unix epoch.
    public var sinceEpoch: Duration { .seconds(seconds) + .microseconds(microseconds) }

    public var description: String { "\(seconds).\(String(microseconds + 1_000_000).dropFirst())" }
}
