import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RESP
import RedisClient

/// `scripts/bench-client`: the RedisClient against `redis-benchmark`, side by side in one run, on
/// one `redis-server` started for the run (loopback).
///
/// Same commands as `redis-benchmark -t set,get`: `SET key:__rand_int__ xxx` and
/// `GET key:__rand_int__` (redis-benchmark without `-r` uses that literal key; 3-byte values).
/// (a) 50 concurrent tasks through one client against `-c 50`; (b) one task, sequentially,
/// against `-c 1`; (c) explicit pipelines of 16 from 50 tasks against `-P 16` (which runs 50
/// connections), and (c′) from one task against `-c 1 -P 16`.
///
/// Each executor choice runs in a child process of its own (installing NIO as the global
/// executor is process-wide and must happen before any task starts): the default global
/// executor, `withTaskExecutorPreference` on the client's event loop, and NIO's event loops as
/// the global executor.
struct ClientBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "RedisClient vs redis-benchmark.")

    @Option(help: "Requests per test (as redis-benchmark -n).")
    var requests = 200_000

    @Option(help: "Requests for the one-connection tests (-c 1), which are latency-bound.")
    var sequentialRequests = 50_000

    @Option(help: "Tests to run, comma-separated: c50, c1, P16, c1P16.")
    var tests = "c50,c1,P16,c1P16"

    @Option(help: "Executors to measure, comma-separated: default, event-loop-preference, nio-global.")
    var executors = "default,event-loop-preference,nio-global"

    @Option(help: "Rounds: peer and client runs alternate, and each cell keeps its best round (this machine is shared and noisy).")
    var rounds = 3

    func run() throws {
        let server = try BenchRedisServer.start()
        defer { server.stop() }
        let port = server.port

        func benchmark(_ arguments: [String], requests: Int) throws -> (set: Double, get: Double) {
            let output = try runProcess("/usr/bin/redis-benchmark",
                                        ["-h", "127.0.0.1", "-p", String(port), "-q", "-t", "set,get", "-n", String(requests)] + arguments)
            func rate(_ name: String) -> Double {
                // "SET: 123456.79 requests per second, p50=0.191 msec" (the line may carry progress output before it)
                for line in output.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) where line.hasPrefix("\(name):") {
                    let fields = line.split(separator: " ")
                    if fields.count > 1, let value = Double(fields[1]) { return value }
                }
                return .nan
            }
            return (rate("SET"), rate("GET"))
        }

        let selected = Set(tests.split(separator: ",").map(String.init))
        let chosen = ClientBenchmarkWorker.Executor.allCases.filter { self.executors.split(separator: ",").contains(Substring($0.rawValue)) }
        let peerArguments: [(String, [String], Int)] = [
            ("c50", ["-c", "50"], requests), ("c1", ["-c", "1"], sequentialRequests),
            ("P16", ["-P", "16"], requests), ("c1P16", ["-c", "1", "-P", "16"], requests),
        ].filter { selected.contains($0.0) }
        var peer: [String: (set: Double, get: Double)] = [:]
        var client: [String: [String: Double]] = [:]  // executor → test.command → best ops/s
        for _ in 0..<max(1, rounds) {
            for (test, arguments, count) in peerArguments {
                let measured = try benchmark(arguments, requests: count)
                let best = peer[test] ?? (0, 0)
                peer[test] = (max(best.set, measured.set.isNaN ? 0 : measured.set), max(best.get, measured.get.isNaN ? 0 : measured.get))
            }
            for executor in chosen {
                let output = try runProcess(CommandLine.arguments[0], [
                    "client-worker", "--port", String(port), "--executor", executor.rawValue,
                    "--requests", String(requests), "--sequential-requests", String(sequentialRequests), "--tests", tests,
                ])
                for line in output.split(separator: "\n") {
                    let fields = line.split(separator: " ")
                    if fields.count == 2, let value = Double(fields[1]) {
                        client[executor.rawValue, default: [:]][String(fields[0]), default: 0] = max(client[executor.rawValue]?[String(fields[0])] ?? 0, value)
                    } else if line.hasPrefix("#") {
                        print(line)
                    }
                }
            }
        }

        let recommended = ClientBenchmarkWorker.Executor.eventLoopPreference.rawValue
        let rows: [(String, String, String)] = [
            ("(a) SET, 50 tasks, one client vs `-c 50`", "c50", "set"),
            ("(a) GET, 50 tasks, one client vs `-c 50`", "c50", "get"),
            ("(b) SET, one task vs `-c 1`", "c1", "set"),
            ("(b) GET, one task vs `-c 1`", "c1", "get"),
            ("(c) SET, pipelines of 16 from 50 tasks vs `-P 16`", "P16", "set"),
            ("(c) GET, pipelines of 16 from 50 tasks vs `-P 16`", "P16", "get"),
            ("(c′) SET, pipelines of 16 from one task vs `-c 1 -P 16`", "c1P16", "set"),
            ("(c′) GET, pipelines of 16 from one task vs `-c 1 -P 16`", "c1P16", "get"),
        ]
        func peerRate(_ test: String, _ command: String) -> Double {
            guard let pair = peer[test] else { return .nan }
            return command == "set" ? pair.set : pair.get
        }
        print("Client executor: `withTaskExecutorPreference(client.taskExecutor)` (recommended). \(requests) requests per test, \(sequentialRequests) for `-c 1`; best of \(rounds) alternating rounds.")
        print("")
        print("| test | redis-benchmark ops/s | client ops/s | ratio |")
        print("|---|---:|---:|---:|")
        for (title, test, command) in rows where selected.contains(test) {
            let theirs = peerRate(test, command)
            let ours = client[recommended]?["\(test).\(command)"] ?? .nan
            print("| \(title) | \(format(theirs)) | \(format(ours)) | \(String(format: "%.2f", ours / theirs)) |")
        }
        print("")
        print("Executor choices (client ops/s; ratio to redis-benchmark in brackets):")
        print("")
        let columns = chosen
        print("| test | " + columns.map(\.title).joined(separator: " | ") + " |")
        print("|---|" + columns.map { _ in "---:" }.joined(separator: "|") + "|")
        for (title, test, command) in rows where selected.contains(test) {
            let theirs = peerRate(test, command)
            let cells = columns.map { executor -> String in
                let ours = client[executor.rawValue]?["\(test).\(command)"] ?? .nan
                return "\(format(ours)) (\(String(format: "%.2f", ours / theirs)))"
            }
            print("| \(title) | " + cells.joined(separator: " | ") + " |")
        }
    }

    private func format(_ value: Double) -> String {
        value.isNaN ? "n/a" : String(Int(value))
    }
}

/// One executor choice, measured in a process of its own; prints `test.command ops` lines.
struct ClientBenchmarkWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client-worker", abstract: "Internal: one executor's client measurements.",
                                                    shouldDisplay: false)

    enum Executor: String, CaseIterable, ExpressibleByArgument {
        case defaultGlobal = "default"
        case eventLoopPreference = "event-loop-preference"
        case nioGlobal = "nio-global"

        var title: String {
            switch self {
            case .defaultGlobal: return "default executor"
            case .eventLoopPreference: return "`withTaskExecutorPreference` (event loop)"
            case .nioGlobal: return "NIO as global executor"
            }
        }
    }

    @Option var port: Int
    @Option var executor: Executor
    @Option var requests: Int
    @Option var sequentialRequests: Int
    @Option var tests: String

    func run() throws {
        if executor == .nioGlobal {
            guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
                print("# NIO could not be installed as the global executor")
                return
            }
        }
        let done = DispatchSemaphore(value: 0)
        let port = self.port, executor = self.executor, requests = self.requests, sequential = self.sequentialRequests
        let tests = Set(self.tests.split(separator: ",").map(String.init))
        Task {
            do {
                try await Self.measure(port: port, executor: executor, requests: requests, sequentialRequests: sequential, tests: tests)
            } catch {
                print("# failed: \(error)")
            }
            done.signal()
        }
        done.wait()
    }

    static func measure(port: Int, executor: Executor, requests: Int, sequentialRequests: Int, tests: Set<String>) async throws {
        let configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))
        let client = try await RedisClient.connect(configuration: configuration)
        let key = "key:__rand_int__"
        let value = "xxx"
        func command(_ name: String) -> RedisCommand {
            name == "set" ? RedisCommand(["SET", key, value]) : RedisCommand(["GET", key])
        }

        func concurrent(_ name: String, tasks: Int, total: Int) async -> Double {
            let perTask = total / tasks
            let start = ContinuousClock.now
            let failures = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var failures = 0
                        for _ in 0..<perTask {
                            do { _ = try await client.send(command(name)) } catch { failures += 1 }
                        }
                        return failures
                    }
                }
                return await group.reduce(0, +)
            }
            if failures > 0 { print("# \(failures) failures") }
            return Double(perTask * tasks) / (ContinuousClock.now - start).seconds
        }

        func pipelined(_ name: String, tasks: Int, total: Int) async -> Double {
            let batches = total / tasks / 16
            let start = ContinuousClock.now
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<batches {
                            var commands: [RedisCommand] = []
                            commands.reserveCapacity(16)
                            for _ in 0..<16 { commands.append(command(name)) }
                            _ = await client.pipeline(commands)
                        }
                    }
                }
            }
            return Double(batches * tasks * 16) / (ContinuousClock.now - start).seconds
        }

        func all() async {
            _ = await concurrent("set", tasks: 50, total: 20_000)  // warm-up
            for name in ["set", "get"] {
                if tests.contains("c50") { print("c50.\(name) \(await concurrent(name, tasks: 50, total: requests))") }
                if tests.contains("c1") { print("c1.\(name) \(await concurrent(name, tasks: 1, total: sequentialRequests))") }
                if tests.contains("P16") { print("P16.\(name) \(await pipelined(name, tasks: 50, total: requests))") }
                if tests.contains("c1P16") { print("c1P16.\(name) \(await pipelined(name, tasks: 1, total: requests))") }
            }
        }

        switch executor {
        case .eventLoopPreference:
            await withTaskExecutorPreference(client.taskExecutor) { await all() }
        case .defaultGlobal, .nioGlobal:
            await all()
        }
        await client.close()
    }
}

/// A redis-server for the benchmark on a free loopback port, no persistence.
final class BenchRedisServer {
    let port: Int
    private let process: Process
    private let directory: URL

    private init(port: Int, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    static func start() throws -> BenchRedisServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", directory.path, "--daemonize", "no", "--protected-mode", "no", "--logfile", ""]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = BenchRedisServer(port: port, process: process, directory: directory)
        // Ready when redis-cli answers PING (bounded: 10 s).
        for _ in 0..<500 {
            if (try? runProcess("/usr/bin/redis-cli", ["-p", String(port), "PING"]))?.contains("PONG") == true { return server }
            usleep(20_000)
        }
        server.stop()
        throw ValidationError("redis-server did not start on port \(port)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ValidationError("no free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs a program to completion and returns its standard output.
func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
