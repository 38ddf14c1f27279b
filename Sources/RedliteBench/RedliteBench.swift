import ArgumentParser

/// The package's benchmarks, built in release mode by `scripts/bench-*`. Each prints a Markdown table;
/// where an issue sets a target against a peer, the peer is measured in the same run and the ratio
/// printed beside it.
@main
struct RedliteBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redlite-bench",
        abstract: "Benchmarks for Redlite for Swift.",
        subcommands: [RESPBenchmark.self, EngineBenchmark.self, ClientBenchmark.self, ClientBenchmarkWorker.self]
    )
}
