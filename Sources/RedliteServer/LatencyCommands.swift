import NIOCore
import RESP

/// LATENCY: per-command latency histograms (HISTOGRAM), and the latency monitor's subcommands as
/// Redis answers them with the monitor off (its default `latency-monitor-threshold 0`): Redlite
/// keeps no latency events, so LATEST and HISTORY are empty and DOCTOR says so.
extension ClientConnection {
    func latency(_ request: [ByteBuffer]) {
        switch request[1].lowercasedASCII {
        case "histogram":
            latencyHistogram(names: request.dropFirst(2).map { $0.lowercasedASCII })
        case "latest":
            reply(.array([]))
        case "history":
            reply(.array([]))
        case "reset":
            reply(.integer(0))
        case "graph":
            reply(.simpleError("ERR No samples available for event '\(String(buffer: request[2]))'"))
        case "doctor":
            reply(.verbatimString(format: "txt", text: ByteBuffer(string: "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n")))
        case "help":
            reply(HelpTexts.latency)
        default:
            reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try LATENCY HELP."))
        }
    }

    /// Every command (or the named ones; a container stands for its subcommands) that has run: its
    /// calls and its cumulative counts by powers of two of microseconds. Unknown names are skipped.
    private func latencyHistogram(names: [String]) {
        let statistics = names.isEmpty
            ? server.routes.all.flatMap(\.allStatistics)
            : names.flatMap { server.routes[$0].allStatistics }
        var entries: [RESPValue.Pair] = []
        var seen = Set<String>()
        for command in statistics.sorted(by: { $0.name < $1.name }) where seen.insert(command.name).inserted {
            guard let histogram = command.latencies, histogram.total > 0 else { continue }
            let buckets = histogram.cumulativeByPowersOfTwoMicroseconds.map { RESPValue.Pair(.integer(Int64($0.microseconds)), .integer(Int64($0.count))) }
            entries.append(.init(.bulk(command.name), .map([
                .init(.bulk("calls"), .integer(Int64(histogram.total))), .init(.bulk("histogram_usec"), .map(buckets)),
            ])))
        }
        reply(.map(entries))
    }
}
