public import RedisCommands
internal import Foundation

/// Renders the typed command API of `RedisClient` from the command table: one Swift file per
/// command group, each an `extension RedisCommandExecutor` with a method per command and
/// subcommand, plus the option types (enums for token choices, structs for argument blocks) in
/// `RedisCommandOptions`.
///
/// The output is a pure function of the table, so `scripts/generate-client-commands` can rerun it
/// and a test can compare it with the checked-in files.
///
/// Mapping from the argument tree:
/// - `key`, `string`, `pattern` → ``RedisArgument`` (`any RESPBulkEncodable & Sendable`: binary-safe);
///   `integer`, `unix-time` → `Int`; `double` → `Double`.
/// - An optional `pure-token` → `Bool = false`.
/// - `oneof` → an enum (`case nx`, `case seconds(Int)`, …); `block` → a labelled tuple when it only
///   holds plain values, a struct otherwise.
/// - `optional` → an optional parameter defaulting to `nil`; `multiple` → an array (defaulting to
///   `[]` when also optional).
/// - A `numkeys` count followed by a `multiple` argument is computed from that array.
public struct ClientCommandGenerator: Sendable {
    public let table: CommandTable

    public init(table: CommandTable) {
        self.table = table
    }

    /// Method names written by hand in `RedisCommandExecutor.swift`. A generated command of the same
    /// name labels its first parameter (and requires it) so that calls stay unambiguous.
    public static let handWrittenNames: Set<String> = ["get", "set", "ping", "increment", "delete", "send"]

    /// Commands not generated, with the reason (listed at the top of their group's file).
    public static let skipped: [String: String] = [
        "subscribe": "puts the connection into subscriber mode; needs the pub/sub API",
        "psubscribe": "puts the connection into subscriber mode; needs the pub/sub API",
        "ssubscribe": "puts the connection into subscriber mode; needs the pub/sub API",
        "unsubscribe": "only valid in subscriber mode; needs the pub/sub API",
        "punsubscribe": "only valid in subscriber mode; needs the pub/sub API",
        "sunsubscribe": "only valid in subscriber mode; needs the pub/sub API",
        "monitor": "turns the connection into an endless feed, not a request/reply",
        "sync": "replication stream, not a request/reply",
        "psync": "replication stream, not a request/reply",
        "client|reply": "OFF/SKIP suppress replies, which would desynchronise the connection's reply queue",
    ]

    /// Commands that change the state of the connection they run on, and the warning their
    /// documentation carries.
    public static let connectionStateCommands: [String: String] = {
        let pooled = "Changes the state of the connection it runs on. `RedisClient` shares its connection and restores only its configured state after a reconnect: run this inside `withConnection`, or use ``RedisConfiguration`` instead."
        let transaction = "Only meaningful on a connection of its own: run it inside `RedisClient.withConnection`."
        var commands: [String: String] = [:]
        for name in ["select", "hello", "auth", "reset", "quit", "client|setname", "client|tracking", "client|caching",
                     "client|no-evict", "client|no-touch", "readonly", "readwrite"] {
            commands[name] = pooled
        }
        for name in ["multi", "exec", "discard", "watch", "unwatch"] { commands[name] = transaction }
        return commands
    }()

    /// The rendered files: file name (`StringCommands.swift`) → contents.
    public func render() -> [String: String] {
        var byGroup: [String: [CommandSpec]] = [:]
        for command in table.commands {
            if command.subcommands.isEmpty {
                byGroup[command.group, default: []].append(command)
            } else {
                for sub in command.subcommands { byGroup[sub.group, default: []].append(sub) }
            }
        }
        var files: [String: String] = [:]
        for (group, commands) in byGroup {
            files["\(Self.groupTypeName(group))Commands.swift"] = renderGroup(group, commands.sorted { $0.name < $1.name })
        }
        return files
    }

    /// How many methods `render()` generates and which commands it skips.
    public func counts() -> (generated: Int, skipped: [String]) {
        var generated = 0
        var skipped: [String] = []
        for command in table.allCommands where command.subcommands.isEmpty {
            if Self.skipped[command.name] != nil { skipped.append(command.name) } else { generated += 1 }
        }
        return (generated, skipped.sorted())
    }

    static func groupTypeName(_ group: String) -> String {
        switch group {
        case "hyperloglog": return "HyperLogLog"
        case "pubsub": return "PubSub"
        default: return pascal(group)
        }
    }

    func renderGroup(_ group: String, _ commands: [CommandSpec]) -> String {
        var out = Output()
        out.line("// Generated by RedisCommandGenerator from Sources/RedisCommands/Resources/commands.json")
        out.line("// (Redis \(table.redisVersion)). Do not edit: run scripts/generate-client-commands.")
        out.line("//")
        let skipped = commands.filter { Self.skipped[$0.name] != nil }
        if skipped.isEmpty {
            out.line("// Skipped commands: none.")
        } else {
            out.line("// Skipped commands:")
            for command in skipped { out.line("// - \(command.name.uppercased()): \(Self.skipped[command.name]!)") }
        }
        let collisions = commands.filter { Self.handWrittenNames.contains(Self.methodName($0)) && Self.skipped[$0.name] == nil }
        for command in collisions {
            out.line("// \(command.name.uppercased()) shares its name with a hand-written helper: its first parameter is labelled.")
        }
        var methods = Output()
        var types = Output()
        for command in commands where Self.skipped[command.name] == nil {
            var context = CommandContext(command: command, methodName: Self.methodName(command))
            let method = context.renderMethod(reply: ReplyKind.table[command.name] ?? .raw,
                                              labelFirst: Self.handWrittenNames.contains(context.methodName))
            methods.lines.append("")
            methods.lines.append(contentsOf: method)
            for type in context.types {
                types.lines.append("")
                types.lines.append(contentsOf: type)
            }
        }
        out.line("")
        if (methods.lines + types.lines).contains(where: { $0.contains("ByteBuffer") }) {
            out.line("public import NIOCore")
        }
        out.line("public import RESP")
        if !types.lines.isEmpty {
            out.line("")
            out.line("extension RedisCommandOptions {")
            out.lines.append(contentsOf: types.lines.dropFirst().map { $0.isEmpty ? $0 : "    " + $0 })
            out.line("}")
        }
        out.line("")
        out.line("extension RedisCommandExecutor {")
        out.lines.append(contentsOf: methods.lines.dropFirst().map { $0.isEmpty ? $0 : "    " + $0 })
        out.line("}")
        return out.lines.joined(separator: "\n") + "\n"
    }

    /// `client|no-evict` → `clientNoEvict`, `zrangebyscore` → `zrangebyscore`.
    public static func methodName(_ command: CommandSpec) -> String {
        camel(command.name.replacingOccurrences(of: "|", with: "-"))
    }
}

// MARK: - Names

let swiftKeywords: Set<String> = [
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
    "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
    "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
    "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil",
    "super", "self", "Self", "throw", "throws", "true", "try", "any", "some", "Type",
]

func words(_ name: String) -> [String] {
    var result: [String] = []
    var current = ""
    for character in name {
        if character.isLetter || character.isNumber {
            current.append(character)
        } else if !current.isEmpty {
            result.append(current)
            current = ""
        }
    }
    if !current.isEmpty { result.append(current) }
    return result.isEmpty ? ["value"] : result
}

func pascal(_ name: String) -> String {
    words(name).map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
}

func camel(_ name: String) -> String {
    let parts = words(name)
    var result = parts[0].lowercased() + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
    if let first = result.first, first.isNumber { result = "n" + result }
    return result
}

/// The identifier as it must be written in code.
func escaped(_ identifier: String) -> String {
    swiftKeywords.contains(identifier) ? "`\(identifier)`" : identifier
}

func plural(_ name: String) -> String {
    if name.hasSuffix("s") { return name }
    if name.hasSuffix("x") || name.hasSuffix("ch") || name.hasSuffix("sh") { return name + "es" }
    if name.hasSuffix("y"), let before = name.dropLast().last, !"aeiou".contains(before) { return name.dropLast() + "ies" }
    return name + "s"
}

func literal(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

struct Output {
    var lines: [String] = []
    mutating func line(_ text: String) { lines.append(text) }
}

// MARK: - One command

/// The plain value kinds.
func isScalar(_ argument: Argument) -> Bool {
    switch argument.type {
    case .string, .key, .pattern, .integer, .double, .unixTime: return true
    case .pureToken, .oneOf, .block: return false
    }
}

func scalarType(_ argument: Argument) -> String {
    switch argument.type {
    case .integer, .unixTime: return "Int"
    case .double: return "Double"
    default: return "RedisArgument"
    }
}

/// A block that can be a tuple (or a single value, or a flag): every child is a plain required value
/// or a required pure token.
func tupleFields(_ block: Argument) -> [Argument]? {
    var fields: [Argument] = []
    for child in block.arguments {
        if child.isOptional || child.isMultiple { return nil }
        if child.type == .pureToken { continue }
        guard isScalar(child) else { return nil }
        fields.append(child)
    }
    return fields
}

/// Unique lowerCamelCase names for a list of arguments (second `id` with token `LASTID` → `lastid`).
func fieldNames(_ arguments: [Argument], pluralise: Bool) -> [String] {
    var used: Set<String> = []
    var names: [String] = []
    for (index, argument) in arguments.enumerated() {
        var name = camel(argument.name)
        if pluralise && argument.isMultiple { name = plural(name) }
        if used.contains(name), let token = argument.token, !token.isEmpty, words(token) != ["value"] {
            name = camel(token)
            if pluralise && argument.isMultiple { name = plural(name) }
        }
        while used.contains(name) { name += "\(index)" }
        used.insert(name)
        names.append(name)
    }
    return names
}

struct CommandContext {
    let command: CommandSpec
    let methodName: String
    /// Option types this command needs, rendered.
    var types: [[String]] = []

    init(command: CommandSpec, methodName: String) {
        self.command = command
        self.methodName = methodName
    }

    /// The Swift type of one occurrence of `argument` (ignoring optional/multiple).
    mutating func elementType(_ argument: Argument, typePrefix: String) -> String {
        switch argument.type {
        case .string, .key, .pattern, .integer, .double, .unixTime:
            return scalarType(argument)
        case .pureToken:
            return "Bool"
        case .block:
            if let fields = tupleFields(argument) {
                if fields.isEmpty { return "Bool" }
                if fields.count == 1 { return scalarType(fields[0]) }
                let names = fieldNames(fields, pluralise: false)
                return "(" + zip(names, fields).map { "\($0): \(scalarType($1))" }.joined(separator: ", ") + ")"
            }
            let name = typePrefix + pascal(argument.name)
            renderStruct(argument, name: name)
            return "RedisCommandOptions.\(name)"
        case .oneOf:
            let name = typePrefix + pascal(argument.name)
            renderEnum(argument, name: name)
            return "RedisCommandOptions.\(name)"
        }
    }

    /// The Swift type of a parameter or field for `argument`, with its default.
    mutating func fieldType(_ argument: Argument, typePrefix: String) -> (type: String, defaultValue: String?) {
        let element = elementType(argument, typePrefix: typePrefix)
        if argument.isMultiple {
            return ("[\(element)]", argument.isOptional ? "[]" : nil)
        }
        if argument.isOptional {
            if argument.type == .pureToken || element == "Bool" { return ("Bool", "false") }
            return ("\(element)?", "nil")
        }
        return (element, nil)
    }

    /// Lines appending one occurrence held in `value` (its own token included unless `withToken` is false).
    func encodeOne(_ argument: Argument, _ value: String, withToken: Bool = true) -> [String] {
        var lines: [String] = []
        let token = argument.token
        switch argument.type {
        case .pureToken:
            return ["argv.append(\(literal(token ?? "")))"]
        case .string, .key, .pattern, .integer, .double, .unixTime:
            if withToken, let token { lines.append("argv.append(\(literal(token)))") }
            lines.append("argv.append(\(value))")
        case .block:
            if withToken, let token { lines.append("argv.append(\(literal(token)))") }
            if let fields = tupleFields(argument) {
                if fields.isEmpty {
                    for child in argument.arguments { lines += encodeOne(child, "") }
                } else if fields.count == 1 {
                    for child in argument.arguments { lines += encodeOne(child, value) }
                } else {
                    let names = fieldNames(fields, pluralise: false)
                    var index = 0
                    for child in argument.arguments {
                        if child.type == .pureToken {
                            lines += encodeOne(child, "")
                        } else {
                            lines += encodeOne(child, "\(value).\(names[index])")
                            index += 1
                        }
                    }
                }
            } else {
                lines.append("\(value).appendArguments(to: &argv)")
            }
        case .oneOf:
            if withToken, let token { lines.append("argv.append(\(literal(token)))") }
            lines.append("\(value).appendArguments(to: &argv)")
        }
        return lines
    }

    /// Lines appending a parameter or field `value` of `argument`, honouring optional and multiple.
    func encodeField(_ argument: Argument, _ value: String, isFlag: Bool) -> [String] {
        if argument.isMultiple {
            var lines: [String] = []
            let token = argument.token
            if argument.isMultipleToken || token == nil {
                lines.append("for element in \(value) {")
                lines += encodeOne(argument, "element").map { "    " + $0 }
                lines.append("}")
            } else {
                let body = ["argv.append(\(literal(token!)))", "for element in \(value) {"]
                    + encodeOne(argument, "element", withToken: false).map { "    " + $0 } + ["}"]
                if argument.isOptional {
                    lines.append("if !\(value).isEmpty {")
                    lines += body.map { "    " + $0 }
                    lines.append("}")
                } else {
                    lines += body
                }
            }
            return lines
        }
        if isFlag {
            // A pure token, or a block of tokens only: present or not.
            if argument.isOptional || argument.type != .pureToken {
                return ["if \(value) {"] + encodeOne(argument, value).map { "    " + $0 } + ["}"]
            }
            return encodeOne(argument, value)
        }
        if argument.isOptional {
            // `self.count` → `if let count = self.count`; a parameter shadows itself.
            let bound = value.hasPrefix("self.") ? String(value.dropFirst(5)) : value
            return ["if let \(bound) = \(value) {"] + encodeOne(argument, bound).map { "    " + $0 } + ["}"]
        }
        return encodeOne(argument, value)
    }

    mutating func renderStruct(_ block: Argument, name: String) {
        let names = fieldNames(block.arguments, pluralise: true)
        var fields: [(name: String, type: String, defaultValue: String?, argument: Argument)] = []
        for (fieldName, child) in zip(names, block.arguments) {
            if child.type == .pureToken && !child.isOptional && !child.isMultiple { continue }
            let (type, defaultValue) = fieldType(child, typePrefix: name)
            fields.append((fieldName, type, defaultValue, child))
        }
        var lines: [String] = []
        lines.append("/// The `\(block.displayText ?? block.name)` block of `\(command.name.uppercased().replacingOccurrences(of: "|", with: " "))`: \(syntax(block.arguments)).")
        lines.append("public struct \(name): Sendable {")
        for field in fields {
            lines.append("    /// `\(syntax([field.argument]))`")
            lines.append("    public var \(escaped(field.name)): \(field.type)")
        }
        lines.append("")
        lines.append("    /// Creates the block.")
        let parameters = fields.map { "\(escaped($0.name)): \($0.type)" + ($0.defaultValue.map { " = \($0)" } ?? "") }
        lines.append("    public init(\(parameters.joined(separator: ", "))) {")
        for field in fields { lines.append("        self.\(field.name) = \(escaped(field.name))") }
        lines.append("    }")
        lines.append("")
        lines.append("    /// Appends the block's arguments in the order Redis expects.")
        lines.append("    public func appendArguments(to argv: inout [any RESPBulkEncodable]) {")
        var fieldIndex = 0
        for child in block.arguments {
            if child.type == .pureToken && !child.isOptional && !child.isMultiple {
                lines += encodeOne(child, "").map { "        " + $0 }
                continue
            }
            let field = fields[fieldIndex]
            fieldIndex += 1
            lines += encodeField(child, "self.\(escaped(field.name))", isFlag: field.type == "Bool").map { "        " + $0 }
        }
        lines.append("    }")
        lines.append("}")
        types.append(lines)
    }

    mutating func renderEnum(_ oneOf: Argument, name: String) {
        let names = fieldNames(oneOf.arguments, pluralise: false)
        var cases: [String] = []
        var switchLines: [String] = []
        for (caseName, child) in zip(names, oneOf.arguments) {
            let doc = "    /// `\(syntax([child]))`"
            var plain = child
            plain.flags.removeAll { $0 == "optional" }
            if child.type == .pureToken {
                cases += [doc, "    case \(escaped(caseName))"]
                switchLines.append("        case .\(escaped(caseName)):")
                switchLines += encodeOne(plain, "").map { "            " + $0 }
                continue
            }
            if child.type == .block, !child.isMultiple, let fields = tupleFields(child), fields.count != 1 {
                if fields.isEmpty {
                    cases += [doc, "    case \(escaped(caseName))"]
                    switchLines.append("        case .\(escaped(caseName)):")
                    switchLines += encodeOne(plain, "").map { "            " + $0 }
                } else {
                    let fieldNamesList = fieldNames(fields, pluralise: false)
                    let payload = zip(fieldNamesList, fields).map { "\($0): \(scalarType($1))" }.joined(separator: ", ")
                    cases += [doc, "    case \(escaped(caseName))(\(payload))"]
                    switchLines.append("        case .\(escaped(caseName))(" + fieldNamesList.map { "let \(escaped($0))" }.joined(separator: ", ") + "):")
                    if let token = child.token { switchLines.append("            argv.append(\(literal(token)))") }
                    var index = 0
                    for grandchild in child.arguments {
                        if grandchild.type == .pureToken {
                            switchLines += encodeOne(grandchild, "").map { "            " + $0 }
                        } else {
                            switchLines += encodeOne(grandchild, escaped(fieldNamesList[index])).map { "            " + $0 }
                            index += 1
                        }
                    }
                }
                continue
            }
            let (type, _) = fieldType(plain, typePrefix: name)
            cases += [doc, "    case \(escaped(caseName))(\(type))"]
            switchLines.append("        case .\(escaped(caseName))(let value):")
            switchLines += encodeField(plain, "value", isFlag: type == "Bool").map { "            " + $0 }
        }
        var lines: [String] = []
        lines.append("/// `\(syntax([oneOf]))` in `\(command.name.uppercased().replacingOccurrences(of: "|", with: " "))`.")
        lines.append("public enum \(name): Sendable {")
        lines += cases
        lines.append("")
        lines.append("    /// Appends the choice's arguments in the order Redis expects.")
        lines.append("    public func appendArguments(to argv: inout [any RESPBulkEncodable]) {")
        lines.append("        switch self {")
        lines += switchLines
        lines.append("        }")
        lines.append("    }")
        lines.append("}")
        types.append(lines)
    }

    /// The method for the command.
    mutating func renderMethod(reply: ReplyKind, labelFirst: Bool) -> [String] {
        let typePrefix = pascal(command.name.replacingOccurrences(of: "|", with: "-"))
        let arguments = command.arguments
        let names = fieldNames(arguments, pluralise: true)
        // numkeys followed by a multiple argument: computed.
        var computedCount: [Int: Int] = [:]
        for (index, argument) in arguments.enumerated()
        where argument.name == "numkeys" && argument.type == .integer && index + 1 < arguments.count && arguments[index + 1].isMultiple {
            computedCount[index] = index + 1
        }
        var parameters: [String] = []
        var parameterDocs: [(name: String, argument: Argument)] = []
        var body: [String] = []
        var first = true
        for (index, argument) in arguments.enumerated() {
            if let target = computedCount[index] {
                body.append("argv.append(\(escaped(names[target])).count)")
                continue
            }
            if argument.type == .pureToken && !argument.isOptional && !argument.isMultiple {
                body += encodeOne(argument, "")
                continue
            }
            var (type, defaultValue) = fieldType(argument, typePrefix: typePrefix)
            if labelFirst && first, defaultValue != nil {
                // A hand-written helper of this name takes no arguments: require this one.
                if type.hasSuffix("?") { type.removeLast() }
                defaultValue = nil
                var required = argument
                required.flags.removeAll { $0 == "optional" }
                body += encodeField(required, escaped(names[index]), isFlag: type == "Bool")
            } else {
                body += encodeField(argument, escaped(names[index]), isFlag: type == "Bool" && !argument.isMultiple)
            }
            let label = first && defaultValue == nil && !labelFirst ? "_ \(escaped(names[index]))" : escaped(names[index])
            parameters.append("\(label): \(type)" + (defaultValue.map { " = \($0)" } ?? ""))
            parameterDocs.append((names[index], argument))
            first = false
        }
        var lines: [String] = []
        lines += documentation(reply: reply, parameters: parameterDocs)
        if command.docFlags.contains("deprecated") {
            var message = "Deprecated since Redis \(command.deprecatedSince ?? "?")"
            if let replacement = command.replacedBy { message += "; use \(replacement.replacingOccurrences(of: "`", with: ""))" }
            lines.append("@available(*, deprecated, message: \(literal(message)))")
        }
        if reply != .ok { lines.append("@discardableResult") }
        let returnClause = reply.swiftType.map { " -> \($0)" } ?? ""
        let signature = "public func \(escaped(methodName))(\(parameters.joined(separator: ", "))) async throws(RedisClientError)\(returnClause) {"
        lines.append(signature)
        let wireName = command.containerName.uppercased()
        if body.isEmpty && command.subcommandName == nil {
            lines.append("    let argv: [any RESPBulkEncodable] = []")
        } else {
            let initial = command.subcommandName.map { "[\(literal($0.uppercased()))]" } ?? "[]"
            lines.append("    var argv: [any RESPBulkEncodable] = \(initial)")
            if body.isEmpty {
                lines[lines.count - 1] = "    let argv: [any RESPBulkEncodable] = \(initial)"
            }
            lines += body.map { "    " + $0 }
        }
        let send = "try await send(RedisCommand(\(literal(wireName)), arguments: argv), timeout: nil)"
        if let decoder = reply.decoder {
            lines.append("    let reply = \(send)")
            lines.append("    return try RedisReplyDecoder.\(decoder)(reply, \(literal(command.name.uppercased().replacingOccurrences(of: "|", with: " "))))")
        } else {
            lines.append("    return \(send)")
        }
        lines.append("}")
        return lines
    }

    func documentation(reply: ReplyKind, parameters: [(name: String, argument: Argument)]) -> [String] {
        let display = command.name.uppercased().replacingOccurrences(of: "|", with: " ")
        var lines: [String] = []
        let summary = (command.summary ?? "The \(display) command.").replacingOccurrences(of: "\n", with: " ")
        lines.append("/// \(display): \(summary)")
        lines.append("///")
        let usage = syntax(command.arguments)
        lines.append("/// ```")
        lines.append("/// \(display)\(usage.isEmpty ? "" : " " + usage)")
        lines.append("/// ```")
        lines.append("///")
        if let since = command.since { lines.append("/// - Available since: Redis \(since).") }
        if let complexity = command.complexity {
            lines.append("/// - Complexity: \(complexity.replacingOccurrences(of: "\n", with: " "))")
        }
        if command.docFlags.contains("deprecated") {
            var note = "/// - Important: Deprecated since Redis \(command.deprecatedSince ?? "?")"
            if let replacement = command.replacedBy { note += "; replaced by \(replacement.replacingOccurrences(of: "\n", with: " "))" }
            lines.append(note + ".")
        }
        if let warning = ClientCommandGenerator.connectionStateCommands[command.name] {
            lines.append("/// - Warning: \(warning)")
        }
        if !parameters.isEmpty {
            lines.append("/// - Parameters:")
            for parameter in parameters {
                var text = "`\(syntax(parameter.argument))`"
                if let summary = parameter.argument.summary { text += ": " + summary.replacingOccurrences(of: "\n", with: " ") }
                lines.append("///   - \(parameter.name): \(text)")
            }
        }
        switch reply {
        case .raw: lines.append("/// - Returns: The reply as Redis sent it.")
        case .ok: lines.append("/// - Throws: ``RedisClientError`` when the reply is not `OK`.")
        default: lines.append("/// - Returns: The reply decoded as `\(reply.swiftType!)`.")
        }
        return lines
    }
}

/// The Redis syntax of an argument list: `key [NX | XX] score member [score member ...]`.
func syntax(_ arguments: [Argument]) -> String {
    arguments.map(syntax).joined(separator: " ")
}

func syntax(_ argument: Argument) -> String {
    var core: String
    switch argument.type {
    case .pureToken:
        core = argument.token ?? "\"\""
    case .oneOf:
        core = argument.arguments.map(syntax).joined(separator: " | ")
        if !argument.isOptional { core = "<\(core)>" }
        if let token = argument.token { core = "\(token) \(core)" }
    case .block:
        core = syntax(argument.arguments)
        if let token = argument.token { core = "\(token) \(core)" }
    default:
        core = argument.displayText ?? argument.name
        if let token = argument.token { core = "\(token) \(core)" }
    }
    if argument.isMultiple { core = "\(core) [\(argument.isMultipleToken || argument.token == nil ? core : syntaxWithoutToken(argument)) ...]" }
    if argument.isOptional { core = "[\(core)]" }
    return core.replacingOccurrences(of: "`", with: "'")
}

private func syntaxWithoutToken(_ argument: Argument) -> String {
    var copy = argument
    copy.token = nil
    copy.flags = []
    return syntax(copy)
}
