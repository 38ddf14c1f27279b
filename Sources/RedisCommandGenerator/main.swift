// Writes the typed command API of RedisClient (one file per command group) from the bundled
// command table. Run through scripts/generate-client-commands:
//
//     swift run RedisCommandGenerator Sources/RedisClient/Commands/Generated

import Foundation
import RedisCommands
import RedisCommandGeneratorCore

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: RedisCommandGenerator <output directory>\n".utf8))
    exit(64)
}
let directory = URL(fileURLWithPath: arguments[1], isDirectory: true)
do {
    let generator = ClientCommandGenerator(table: try CommandTable.bundled)
    let files = generator.render()
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    // Remove generated files of groups that no longer exist, so the directory matches the table.
    for existing in try FileManager.default.contentsOfDirectory(atPath: directory.path)
    where existing.hasSuffix("Commands.swift") && files[existing] == nil {
        try FileManager.default.removeItem(at: directory.appendingPathComponent(existing))
    }
    for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
        try Data(contents.utf8).write(to: directory.appendingPathComponent(name), options: .atomic)
    }
    let counts = generator.counts()
    print("wrote \(files.count) files: \(counts.generated) commands, skipped \(counts.skipped.count) (\(counts.skipped.joined(separator: ", ")))")
} catch {
    FileHandle.standardError.write(Data("RedisCommandGenerator: \(error)\n".utf8))
    exit(1)
}
