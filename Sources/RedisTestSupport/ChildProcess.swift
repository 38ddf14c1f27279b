#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation
import NIOConcurrencyHelpers

/// A child process spawned with a clean slate, for the fixture's servers and for tools under test.
///
/// Foundation's `Process` hands the spawning thread's signal mask and ignored signals to the child.
/// Test runners spawn from threads that block most signals, so a child started that way ignores
/// SIGTERM and its shell cannot reap its own children. Here the child starts with an empty signal
/// mask, default dispositions, standard input from the given descriptor (or /dev/null) and output to
/// a file (or /dev/null), and inherits no other descriptor.
public final class ChildProcess: Sendable {
    public let pid: Int32
    private let status = NIOLockedValueBox<Int32?>(nil)

    /// Spawns `arguments[0]` (an absolute path) with `arguments`.
    public init(arguments: [String], standardInput: Int32? = nil, outputPath: String? = nil) throws(RedisServerError) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Close everything else this process has open: a test runner's own pipes, inherited by a
        // long-lived server, would keep the runner waiting for their end. On Linux this is done at the
        // spawn (glibc's closefrom action, 2.34 and later): a list made beforehand misses descriptors other threads
        // open in between, such as the socket Foundation's `Process` watches for its child's exit,
        // and a server that inherited one would keep that `Process` from ever seeing its exit.
        if let closeFrom = Self.closeFromAction {
            _ = closeFrom(&actions, 3)
        } else {
            for descriptor in Self.openDescriptors() where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }

        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, arguments[0], &actions, &attributes, &cArguments, environ)
        guard result == 0 else { throw .failedToStart(log: "posix_spawn \(arguments[0]) failed: errno \(result)") }
        pid = child
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, looked up at run time: Swift's Glibc module
    /// does not export it. Nil where the C library has none (Darwin, older glibc).
    private static let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// The descriptors open in this process, from /proc/self/fd (empty where there is no /proc).
    private static func openDescriptors() -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let descriptor = Int32(name), descriptor != own { descriptors.append(descriptor) }
        }
        return descriptors
    }

    /// Whether the child has not exited yet (reaps it once it has).
    public var isRunning: Bool {
        if status.withLockedValue({ $0 }) != nil { return false }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            // WIFEXITED: the exit code; otherwise 128 + the signal, as shells report it.
            let code = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            status.withLockedValue { $0 = code }
            return false
        }
        return result == 0
    }

    /// The exit status once the child has exited (128 + signal number when killed by a signal).
    public var exitStatus: Int32? {
        _ = isRunning
        return status.withLockedValue { $0 }
    }

    /// Waits up to `timeout` for the child to exit; true when it has.
    public func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !isRunning { return true }
            usleep(5_000)
        }
        return !isRunning
    }

    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Runs a tool to completion (killed after `timeout`) and returns its exit status and output
    /// (standard output and error together). `input` is fed to its standard input.
    public static func run(_ arguments: [String], input: String? = nil, timeout: Duration = .seconds(60)) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputPath = directory.appendingPathComponent("output").path
        var inputDescriptor: Int32?
        if let input {
            let inputPath = directory.appendingPathComponent("input").path
            try Data(input.utf8).write(to: URL(fileURLWithPath: inputPath))
            inputDescriptor = open(inputPath, O_RDONLY | O_CLOEXEC)
        }
        defer { if let inputDescriptor { close(inputDescriptor) } }
        let child = try ChildProcess(arguments: arguments, standardInput: inputDescriptor, outputPath: outputPath)
        if !child.waitForExit(timeout: timeout) {
            child.signal(SIGKILL)
            _ = child.waitForExit(timeout: .seconds(5))
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (child.exitStatus ?? -1, output)
    }

    /// The absolute path of an executable on PATH (or in the usual Debian places).
    public static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
