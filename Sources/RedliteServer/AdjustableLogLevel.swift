import Logging
import Synchronization

/// The server's log verbosity, shared by every copy of its `Logger`, so that CONFIG SET loglevel
/// changes what every part of the server logs from then on (a `Logger` is a value: its copies in
/// the connections and the committer would otherwise keep the level they were made with).
final class AdjustableLogLevel: Sendable {
    /// The level of the `Logger` the server was given: what it logs until a level is set.
    let initial: Logger.Level
    /// The index in `ServerConfiguration.LogLevel.allCases` of the level set, -1 for none.
    private let current: Atomic<Int>

    init(initial: Logger.Level, configured: ServerConfiguration.LogLevel?) {
        self.initial = initial
        current = Atomic(configured.flatMap { Self.cases.firstIndex(of: $0) } ?? -1)
    }

    private static let cases = ServerConfiguration.LogLevel.allCases

    /// The level set (`loglevel` at start or CONFIG SET), nil while the initial one applies.
    var configured: ServerConfiguration.LogLevel? {
        get {
            let index = current.load(ordering: .relaxed)
            return index >= 0 ? Self.cases[index] : nil
        }
        set { current.store(newValue.flatMap { Self.cases.firstIndex(of: $0) } ?? -1, ordering: .relaxed) }
    }

    /// The level in Redis's terms (CONFIG GET loglevel).
    var effective: ServerConfiguration.LogLevel { configured ?? .init(initial) }

    /// `logger` with its handler wrapped, so that its level is this one's.
    func adjusting(_ logger: Logger) -> Logger {
        var adjusted = logger
        var inner = logger.handler
        // The wrapper decides; the handler it wraps lets through what reaches it.
        inner.logLevel = .trace
        adjusted.handler = Handler(inner: inner, shared: self)
        return adjusted
    }

    /// Forwards to the wrapped handler what the shared level lets through.
    private struct Handler: LogHandler {
        var inner: any LogHandler
        let shared: AdjustableLogLevel
        /// A level set on this copy of the logger, which then no longer follows the shared one (a
        /// handler is a value: setting one copy's level must not change the others').
        var ownLevel: Logger.Level?

        var logLevel: Logger.Level {
            get { ownLevel ?? shared.configured?.loggerLevel ?? shared.initial }
            set { ownLevel = newValue }
        }

        var metadata: Logger.Metadata {
            get { inner.metadata }
            set { inner.metadata = newValue }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { inner[metadataKey: key] }
            set { inner[metadataKey: key] = newValue }
        }

        var metadataProvider: Logger.MetadataProvider? {
            get { inner.metadataProvider }
            set { inner.metadataProvider = newValue }
        }

        func log(event: LogEvent) {
            inner.log(event: event)
        }
    }
}
