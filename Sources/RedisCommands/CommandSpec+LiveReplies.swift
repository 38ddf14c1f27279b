public import RESP

/// Building specs from a live server's `COMMAND INFO` and `COMMAND DOCS` replies, in RESP2 or RESP3.
///
/// This is how the artifact is generated, and how tests compare the artifact with a live server.
extension CommandSpec {
    /// A spec from one `COMMAND INFO` entry and the matching `COMMAND DOCS` entry (if any).
    public init(info: RESPValue, docs: RESPValue?) throws(CommandSpecError) {
        guard let fields = info.elements, fields.count >= 10 else { throw .malformed("COMMAND INFO entry: \(info)") }
        let docFields = docs.map(Self.mapFields) ?? [:]
        let name = try Self.text(fields[0]).lowercased()
        var subcommandDocs: [String: RESPValue] = [:]
        if let subDocs = docFields["subcommands"] {
            for (key, value) in Self.mapFields(subDocs) { subcommandDocs[key.lowercased()] = value }
        }
        var subcommands: [CommandSpec] = []
        for sub in fields[9].elements ?? [] {
            let subName = try Self.text(sub.elements?.first ?? .null).lowercased()
            subcommands.append(try CommandSpec(info: sub, docs: subcommandDocs[subName]))
        }
        self.init(
            name: name,
            arity: try Self.int(fields[1]),
            flags: try Self.texts(fields[2]),
            firstKey: try Self.int(fields[3]),
            lastKey: try Self.int(fields[4]),
            keyStep: try Self.int(fields[5]),
            aclCategories: try Self.texts(fields[6]),
            tips: try Self.texts(fields[7]),
            keySpecs: try (fields[8].elements ?? []).map(KeySpec.init(reply:)),
            group: try docFields["group"].map(Self.text) ?? "",
            since: try docFields["since"].map(Self.text),
            complexity: try docFields["complexity"].map(Self.text),
            summary: try docFields["summary"].map(Self.text),
            docFlags: try docFields["doc_flags"].map(Self.texts) ?? [],
            deprecatedSince: try docFields["deprecated_since"].map(Self.text),
            replacedBy: try docFields["replaced_by"].map(Self.text),
            history: try (docFields["history"]?.elements ?? []).map { entry throws(CommandSpecError) in
                guard let pair = entry.elements, pair.count == 2 else { throw .malformed("history entry: \(entry)") }
                return HistoryEntry(version: try Self.text(pair[0]), change: try Self.text(pair[1]))
            },
            arguments: try (docFields["arguments"]?.elements ?? []).map(Argument.init(reply:)),
            subcommands: subcommands.sorted { $0.name < $1.name }
        )
    }

    // MARK: Reply helpers (shared with KeySpec and Argument)

    /// The fields of a RESP3 map, or of a RESP2 flat array of alternating keys and values.
    static func mapFields(_ value: RESPValue) -> [String: RESPValue] {
        var result: [String: RESPValue] = [:]
        switch value {
        case .map(let pairs):
            for pair in pairs { if let key = pair.key.string { result[key] = pair.value } }
        case .array(let flat):
            var index = 0
            while index + 1 < flat.count {
                if let key = flat[index].string { result[key] = flat[index + 1] }
                index += 2
            }
        default:
            break
        }
        return result
    }

    static func text(_ value: RESPValue) throws(CommandSpecError) -> String {
        guard let text = value.string else { throw .malformed("expected a string, got \(value)") }
        return text
    }

    static func texts(_ value: RESPValue) throws(CommandSpecError) -> [String] {
        guard let elements = value.elements else { throw .malformed("expected a list, got \(value)") }
        var result: [String] = []
        for element in elements { result.append(try text(element)) }
        return result
    }

    static func int(_ value: RESPValue) throws(CommandSpecError) -> Int {
        switch value {
        case .integer(let number): return Int(number)
        default:
            if let text = value.string, let number = Int(text) { return number }
            throw .malformed("expected an integer, got \(value)")
        }
    }
}

extension KeySpec {
    init(reply: RESPValue) throws(CommandSpecError) {
        let fields = CommandSpec.mapFields(reply)
        let begin = CommandSpec.mapFields(fields["begin_search"] ?? .null)
        let beginSpec = CommandSpec.mapFields(begin["spec"] ?? .null)
        let find = CommandSpec.mapFields(fields["find_keys"] ?? .null)
        let findSpec = CommandSpec.mapFields(find["spec"] ?? .null)
        self.init(
            notes: try fields["notes"].map(CommandSpec.text),
            flags: try fields["flags"].map(CommandSpec.texts) ?? [],
            beginSearch: BeginSearch(
                type: try begin["type"].map(CommandSpec.text) ?? "unknown",
                index: try beginSpec["index"].map(CommandSpec.int),
                keyword: try beginSpec["keyword"].map(CommandSpec.text),
                startFrom: try beginSpec["startfrom"].map(CommandSpec.int)
            ),
            findKeys: FindKeys(
                type: try find["type"].map(CommandSpec.text) ?? "unknown",
                lastKey: try findSpec["lastkey"].map(CommandSpec.int),
                keyStep: try findSpec["keystep"].map(CommandSpec.int),
                limit: try findSpec["limit"].map(CommandSpec.int),
                keyNumIndex: try findSpec["keynumidx"].map(CommandSpec.int),
                firstKey: try findSpec["firstkey"].map(CommandSpec.int)
            )
        )
    }
}

extension Argument {
    init(reply: RESPValue) throws(CommandSpecError) {
        let fields = CommandSpec.mapFields(reply)
        let typeName = try fields["type"].map(CommandSpec.text) ?? ""
        guard let kind = Kind(rawValue: typeName) else { throw .malformed("unknown argument type '\(typeName)'") }
        self.init(
            name: try fields["name"].map(CommandSpec.text) ?? "",
            type: kind,
            displayText: try fields["display_text"].map(CommandSpec.text),
            keySpecIndex: try fields["key_spec_index"].map(CommandSpec.int),
            token: try fields["token"].map(CommandSpec.text),
            summary: try fields["summary"].map(CommandSpec.text),
            since: try fields["since"].map(CommandSpec.text),
            deprecatedSince: try fields["deprecated_since"].map(CommandSpec.text),
            flags: try fields["flags"].map(CommandSpec.texts) ?? [],
            arguments: try (fields["arguments"]?.elements ?? []).map(Argument.init(reply:))
        )
    }
}

/// A reply that does not have the shape `COMMAND INFO` / `COMMAND DOCS` replies have, or an artifact
/// that cannot be read.
public enum CommandSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case artifactMissing
    case artifactUnreadable(String)

    public var description: String {
        switch self {
        case .malformed(let detail): return "malformed command spec: \(detail)"
        case .artifactMissing: return "commands.json is missing from the RedisCommands bundle"
        case .artifactUnreadable(let detail): return "commands.json cannot be read: \(detail)"
        }
    }
}
