import Foundation
import NIOCore
import RESP
import Redlite

#if canImport(Glibc)
import Glibc
#endif

/// INFO and CONFIG.
extension ClientConnection {
    func info(_ request: [ByteBuffer]) {
        let requested = Set(request.dropFirst().map { $0.lowercasedASCII })
        // As in Redis: no section, `default`, `all` and `everything` name every section, except that
        // commandstats only comes with `all`, `everything` or by name.
        let all = requested.contains("all") || requested.contains("everything")
        let everything = requested.isEmpty || all || requested.contains("default")
        let configuration = server.configuration
        var sections: [(String, [(String, String)])] = []
        let uptime = Int(Date().timeIntervalSince(server.startedAt))
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        sections.append(("server", [
            ("redis_version", server.table.redisVersion), ("redlite_version", "0.1.0"), ("redis_git_sha1", "00000000"),
            ("redis_git_dirty", "0"), ("redis_mode", "standalone"), ("os", Self.operatingSystem), ("arch_bits", "64"),
            ("monotonic_clock", "POSIX clock_gettime"), ("multiplexing_api", "epoll"), ("process_id", String(getpid())),
            ("process_supervised", "no"), ("run_id", server.runID), ("tcp_port", String(configuration.port)),
            ("server_time_usec", String(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000)),
            ("uptime_in_seconds", String(uptime)), ("uptime_in_days", String(uptime / 86_400)),
            // The server's cron runs once a second; `lru_clock` is Redis's: seconds, modulo 2^24.
            ("hz", "1"), ("configured_hz", "1"), ("lru_clock", String(Int64(now.tv_sec) & ((1 << 24) - 1))),
            ("executable", CommandLine.arguments.first ?? ""), ("config_file", configuration.configFile ?? ""), ("io_threads_active", "0"),
        ]))
        let clients = server.clients.all
        let details = clients.map(\.snapshot), bufferPeak = server.recentBufferPeak
        sections.append(("clients", [
            ("connected_clients", String(clients.count)), ("cluster_connections", "0"), ("maxclients", String(configuration.maxClients)),
            ("client_recent_max_input_buffer", String(bufferPeak.input)), ("client_recent_max_output_buffer", String(bufferPeak.output)),
            ("blocked_clients", String(details.filter(\.blocked).count)), ("tracking_clients", "0"),
            ("clients_in_timeout_table", String(details.filter(\.blockedWithTimeout).count)),
            // Redis 7.2's: subscribed clients.
            ("pubsub_clients", String(details.filter { $0.channels + $0.patterns + $0.shardChannels > 0 }.count)),
        ]))
        // Redlite's data lives in SQLite's file and page caches: the process's resident memory is
        // the memory it uses.
        let resident = ProcessMemory.resident, peak = ProcessMemory.peakResident, total = ProcessMemory.systemTotal
        sections.append(("memory", [
            ("used_memory", String(resident)), ("used_memory_human", Self.human(resident)), ("used_memory_rss", String(resident)),
            ("used_memory_rss_human", Self.human(resident)), ("used_memory_peak", String(peak)), ("used_memory_peak_human", Self.human(peak)),
            ("used_memory_peak_perc", String(format: "%.2f%%", peak > 0 ? Double(resident) * 100 / Double(peak) : 0)),
            ("total_system_memory", String(total)), ("total_system_memory_human", Self.human(total)),
            ("maxmemory", "0"), ("maxmemory_human", "0B"), ("maxmemory_policy", "noeviction"),
            ("mem_fragmentation_ratio", "1.00"), ("mem_allocator", "libc"),
        ]))
        let fileSize = configuration.databasePath.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int } ?? 0
        sections.append(("persistence", [
            ("loading", "0"), ("storage_engine", "sqlite"), ("database_path", configuration.databasePath ?? ":memory:"),
            ("database_size", String(fileSize)), ("synchronous", configuration.synchronous.rawValue.lowercased()),
            // Every acknowledged write is durable already: none is waiting for a save.
            ("rdb_changes_since_last_save", "0"), ("aof_enabled", "0"),
        ] + server.persistence.infoFields))
        let network = server.clients.networkTotals
        let rates = server.instantaneousRates
        let keyspaceCounts = server.store.keyspaceStatistics.totals
        sections.append(("stats", [
            ("total_connections_received", String(server.connectionsReceived.current)),
            ("total_commands_processed", String(server.commandsProcessed.current)),
            ("instantaneous_ops_per_sec", String(Int(rates.commands.rounded()))),
            ("total_net_input_bytes", String(network.received)), ("total_net_output_bytes", String(network.sent)),
            ("instantaneous_input_kbps", String(format: "%.2f", rates.inputKbps)),
            ("instantaneous_output_kbps", String(format: "%.2f", rates.outputKbps)),
            ("rejected_connections", String(server.rejectedConnections.current)),
            // No replication, no eviction and no fork: those counts are truly zero.
            ("sync_full", "0"), ("sync_partial_ok", "0"), ("sync_partial_err", "0"),
            ("expired_keys", String(keyspaceCounts.expiredKeys)), ("evicted_keys", "0"), ("evicted_clients", "0"),
            ("keyspace_hits", String(keyspaceCounts.hits)), ("keyspace_misses", String(keyspaceCounts.misses)),
            ("pubsub_channels", String(server.store.pubsub.activeChannels().count)),
            ("pubsub_patterns", String(server.store.pubsub.patternCount)),
            ("pubsubshard_channels", String(server.store.pubsub.activeChannels(shard: true).count)),
            ("latest_fork_usec", "0"), ("total_forks", "0"),
            ("total_error_replies", String(server.errorReplies.current)),
            ("total_reads_processed", String(network.reads)), ("total_writes_processed", String(network.writes)),
        ]))
        sections.append(("replication", [
            ("role", "master"), ("connected_slaves", "0"), ("master_failover_state", "no-failover"),
            ("master_replid", server.runID), ("master_replid2", String(repeating: "0", count: 40)), ("master_repl_offset", "0"),
            ("second_repl_offset", "-1"), ("repl_backlog_active", "0"), ("repl_backlog_size", "1048576"),
            ("repl_backlog_first_byte_offset", "0"), ("repl_backlog_histlen", "0"),
        ]))
        sections.append(("cpu", Self.cpuFields()))
        if all || requested.contains("commandstats") {
            let lines = server.routes.all.flatMap(\.allStatistics).compactMap(\.infoLine).sorted()
            sections.append(("commandstats", lines.map { line in
                let colon = line.firstIndex(of: ":")!
                return (String(line[..<colon]), String(line[line.index(after: colon)...]))
            }))
        }
        sections.append(("errorstats", server.errorStatistics.infoLines))
        if all || requested.contains("latencystats") {
            sections.append(("latencystats", server.routes.all.flatMap(\.allStatistics).compactMap(\.latencyInfoLine).sorted { $0.0 < $1.0 }))
        }
        let keyspace = (try? server.store.keyspaceSummary()) ?? []
        sections.append(("keyspace", keyspace.map {
            ("db\($0.database)", "keys=\($0.keys),expires=\($0.expires),avg_ttl=\($0.averageTTLMilliseconds)")
        }))

        var text = ""
        for (name, fields) in sections where (everything && name != "commandstats" && name != "latencystats") || all || requested.contains(name) {
            if !text.isEmpty { text += "\r\n" }
            text += "# \(name == "cpu" ? "CPU" : name.prefix(1).uppercased() + name.dropFirst())\r\n"
            for (key, value) in fields { text += "\(key):\(value)\r\n" }
        }
        reply(.verbatimString(format: "txt", text: ByteBuffer(string: text)))
    }

    /// INFO cpu: the process's CPU time and its children's, in seconds (getrusage).
    private static func cpuFields() -> [(String, String)] {
        func seconds(_ time: timeval) -> String { String(format: "%.6f", Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000) }
        var own = rusage(), children = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &own)
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &children)
        return [
            ("used_cpu_sys", seconds(own.ru_stime)), ("used_cpu_user", seconds(own.ru_utime)),
            ("used_cpu_sys_children", seconds(children.ru_stime)), ("used_cpu_user_children", seconds(children.ru_utime)),
        ]
    }

    /// `Linux 6.1.0 x86_64`, as Redis reports it (uname's system, release and machine).
    private static let operatingSystem: String = {
        var name = utsname()
        guard uname(&name) == 0 else { return "Linux" }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(text(name.sysname)) \(text(name.release)) \(text(name.machine))"
    }()

    /// Redis's human-readable sizes: `512B`, `1.50K`, `25.60M`, `23.54G`.
    static func human(_ bytes: Int) -> String {
        let units: [(String, Double)] = [("P", 1_125_899_906_842_624), ("T", 1_099_511_627_776), ("G", 1_073_741_824), ("M", 1_048_576), ("K", 1024)]
        for (unit, size) in units where Double(bytes) >= size { return String(format: "%.2f", Double(bytes) / size) + unit }
        return "\(bytes)B"
    }

    /// The parameters CONFIG GET knows, with their current values.
    private func configParameters() -> [(String, String)] {
        let configuration = server.configuration
        return [
            ("port", String(configuration.port)), ("bind", configuration.bind.joined(separator: " ")),
            ("unixsocket", configuration.unixSocket ?? ""), ("requirepass", configuration.requirePass ?? ""),
            ("maxclients", String(configuration.maxClients)), ("databases", "16"), ("timeout", String(configuration.idleTimeout)),
            ("save", configuration.saveSchedule.map { "\($0.seconds) \($0.changes)" }.joined(separator: " ")),
            ("appendonly", configuration.appendOnly ? "yes" : "no"), ("appendfsync", configuration.synchronous == .full ? "always" : "everysec"),
            ("loglevel", server.logLevel.effective.rawValue),
            ("notify-keyspace-events", server.store.notifications.configuration), ("client-query-buffer-limit", String(configuration.queryBufferLimit)),
            ("proto-max-bulk-len", String(configuration.protocolLimits.maxBulkLength)), ("maxmemory", "0"), ("maxmemory-policy", "noeviction"),
            ("tcp-keepalive", String(configuration.tcpKeepAlive)), ("protected-mode", "no"), ("dbfilename", configuration.databasePath ?? ""),
            ("dir", FileManager.default.currentDirectoryPath), ("lua-time-limit", "5000"), ("busy-reply-threshold", "5000"),
            ("cluster-enabled", "no"), ("slowlog-log-slower-than", String(configuration.slowlogLogSlowerThan)),
            ("slowlog-max-len", String(configuration.slowlogMaxLength)),
            ("client-output-buffer-limit", configuration.outputLimitsText),
            ("tls-port", String(configuration.tls?.port ?? 0)), ("synchronous", configuration.synchronous.rawValue.lowercased()),
            // Per-command latency histograms are always kept; the latency monitor (LATENCY LATEST's
            // events) is off, as at Redis's default threshold of 0.
            ("latency-tracking", "yes"), ("latency-tracking-info-percentiles", "50 99 99.9"), ("latency-monitor-threshold", "0"),
        ]
    }

    func config(_ request: [ByteBuffer]) {
        guard request.count >= 2 else {
            reply(.simpleError("ERR wrong number of arguments for 'config' command"))
            return
        }
        switch request[1].lowercasedASCII {
        case "get":
            guard request.count >= 3 else {
                reply(.simpleError("ERR wrong number of arguments for 'config|get' command"))
                return
            }
            let patterns = request.dropFirst(2).map { $0.lowercasedASCII }
            let matching = configParameters().filter { parameter in patterns.contains { Self.simpleGlob($0, parameter.0) } }
            reply(.map(matching.map { .init(.bulk($0.0), .bulk($0.1)) }))
        case "set":
            configSet(request)
        case "resetstat":
            server.commandsProcessed.reset()
            server.connectionsReceived.reset()
            server.rejectedConnections.reset()
            server.errorReplies.reset()
            server.errorStatistics.reset()
            server.clients.resetNetworkTotals()
            server.store.keyspaceStatistics.reset()
            for statistics in server.routes.all.flatMap(\.allStatistics) { statistics.reset() }
            reply(.ok)
        case "rewrite":
            var configuration = server.configuration
            configuration.notifyKeyspaceEvents = server.store.notifications.configuration  // Redis's spelling
            guard let path = configuration.configFile else {
                reply(.simpleError("ERR The server is running without a config file"))
                return
            }
            // A file removed since start-up is written anew, as Redis does.
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            do {
                try ServerConfiguration.replaceFile(at: path, with: configuration.rewrittenConfigurationFile(text))
                server.logger.notice("CONFIG REWRITE executed with success.")
                reply(.ok)
            } catch {
                server.logger.warning("CONFIG REWRITE failed: \(error.message)")
                reply(.simpleError("ERR Rewriting config file: \(error.message)"))
            }
        case "help":
            reply(HelpTexts.config)
        default:
            reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try CONFIG HELP."))
        }
    }
}
