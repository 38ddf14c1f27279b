// Regenerates the command specification artifact from a live redis-server:
//
//     swift run CommandSpecDumper [output-path]
//
// It starts a throwaway redis-server through the test fixture, reads COMMAND INFO and COMMAND DOCS
// over RESP3, merges them per command and subcommand, and writes the JSON the RedisCommands module
// bundles (default: Sources/RedisCommands/Resources/commands.json). Run it again after moving to a
// new Redis version and review the diff.

import Foundation
import RESP
import RedisCommands
import RedisTestSupport

let output = CommandLine.arguments.dropFirst().first ?? "Sources/RedisCommands/Resources/commands.json"

do {
    let server = try RedisServer.start()
    defer { server.stop() }
    let connection = try server.connect()

    let hello = try connection.send(["HELLO", "3"])
    guard case .map(let serverInfo) = hello,
          let version = serverInfo.first(where: { $0.key.string == "version" })?.value.string else {
        throw CommandSpecError.malformed("HELLO 3 reply: \(hello)")
    }

    let infos = try connection.send(["COMMAND", "INFO"])
    let docs = try connection.send(["COMMAND", "DOCS"])
    var docsByName: [String: RESPValue] = [:]
    if case .map(let pairs) = docs {
        for pair in pairs { if let name = pair.key.string { docsByName[name.lowercased()] = pair.value } }
    }
    var commands: [CommandSpec] = []
    for info in infos.elements ?? [] {
        guard let name = info.elements?.first?.string?.lowercased() else { continue }
        commands.append(try CommandSpec(info: info, docs: docsByName[name]))
    }
    let table = CommandTable(redisVersion: version, commands: commands)
    try table.encodedArtifact().write(to: URL(fileURLWithPath: output))
    print("wrote \(table.commands.count) commands (\(table.allCommands.count) with subcommands) from Redis \(version) to \(output)")
} catch {
    FileHandle.standardError.write(Data("CommandSpecDumper: \(error)\n".utf8))
    exit(1)
}
