#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit of open file descriptors, raised so that `maxclients` clients fit, as Redis's
/// adjustOpenFilesLimit does: a fresh Debian login has a soft limit of 1,024 against a default
/// `maxclients` of 10,000, and a server at the limit fails in accept(), and in SQLite opening a file,
/// with EMFILE instead of answering `ERR max number of clients reached`. The hard limit stays; when
/// it is too low, fewer clients fit and `maxclients` says so.
enum OpenFilesLimit {
    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif

    /// Descriptors kept for what is not a client: Redis keeps 32 (listeners, logs, its files); Redlite
    /// also keeps each event loop's own (epoll, eventfd, timer) and its read connection's files.
    static func reserved(eventLoops: Int) -> Int { 32 + 5 * eventLoops }

    /// What `accommodate` found.
    struct Outcome: Equatable {
        /// The soft limit now.
        var limit: Int
        /// How many clients fit in it (at most the number asked for, at least 0).
        var clients: Int
        /// The error of the last refused raise, if any.
        var error: Int32?
    }

    /// Raises the soft limit to fit `clients` clients and `reserved` other descriptors, or as close to
    /// it as the system allows (the hard limit, or macOS's OPEN_MAX for a soft one); never lowers it.
    static func accommodate(clients: Int, reserved: Int) -> Outcome {
        var limits = rlimit()
        // Unknown: nothing to go by, the clients are left to the server's own count.
        guard getrlimit(resource, &limits) == 0 else { return Outcome(limit: Int.max, clients: clients, error: errno) }
        // RLIM_INFINITY is the largest value on Linux and near it on macOS: both clamp to Int.max.
        let current = Int(clamping: limits.rlim_cur)
        let (wanted, overflow) = clients.addingReportingOverflow(reserved)
        if overflow || current >= wanted { return Outcome(limit: current, clients: min(clients, max(0, current - reserved)), error: nil) }
        var attempt = min(wanted, Int(clamping: limits.rlim_max))
        var reached = current
        var lastError: Int32?
        // Then lower, halving the distance to the current limit, while the system refuses (macOS
        // refuses a soft limit above OPEN_MAX even under an unlimited hard one).
        for _ in 0..<64 where attempt > reached {
            var raised = limits
            raised.rlim_cur = rlim_t(attempt)
            if setrlimit(resource, &raised) == 0 {
                reached = attempt
                break
            }
            lastError = errno
            attempt = reached + (attempt - reached) / 2
        }
        return Outcome(limit: reached, clients: min(clients, max(0, reached - reserved)), error: lastError)
    }
}

extension ServerContext {
    /// Descriptors the server keeps for what is not a client.
    var reservedFileDescriptors: Int { OpenFilesLimit.reserved(eventLoops: eventLoopCount) }

    /// At start, as Redis: the open-files limit raised for `maxclients`, or `maxclients` lowered to
    /// what fits, with Redis's warnings; too few descriptors for even one client fail the start.
    func fitMaxClientsToOpenFilesLimit() throws {
        let asked = configuration.maxClients
        let reserved = reservedFileDescriptors
        let outcome = OpenFilesLimit.accommodate(clients: asked, reserved: reserved)
        guard outcome.clients < asked else { return }
        let wanted = asked.addingReportingOverflow(reserved).overflow ? Int.max : asked + reserved
        logger.warning("You requested maxclients of \(asked) requiring at least \(wanted) max file descriptors.")
        if let error = outcome.error {
            logger.warning("Server can't set maximum open files to \(wanted) because of OS error: \(String(cString: strerror(error))).")
        }
        guard outcome.clients >= 1 else {
            throw ServerStartFailure.tooFewFileDescriptors(limit: outcome.limit, needed: reserved + 1)
        }
        logger.warning("Current maximum open files is \(outcome.limit). maxclients has been reduced to \(outcome.clients) to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.")
        updateConfiguration { $0.maxClients = outcome.clients }
    }
}
