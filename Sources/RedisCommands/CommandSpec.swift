/// What Redis says about one command or subcommand: `COMMAND INFO` and `COMMAND DOCS` merged.
///
/// Values are exactly what the `redis-server` the artifact was generated from reported, so arity,
/// flags and key positions can be compared with any live server of the same version.
public struct CommandSpec: Sendable, Hashable, Codable {
    /// Lowercase name as Redis reports it: `get`, or `client|setname` for a subcommand.
    public var name: String
    /// Redis's arity: positive means exactly that many arguments (the name included), negative means
    /// at least that many.
    public var arity: Int
    /// Command flags such as `write`, `readonly`, `denyoom`, `fast`, `noscript`, `pubsub`.
    public var flags: [String]
    /// Position of the first key argument (0: no keys), as in `COMMAND INFO`.
    public var firstKey: Int
    /// Position of the last key argument; negative counts from the end (-1: the last argument).
    public var lastKey: Int
    /// Step between key arguments.
    public var keyStep: Int
    /// ACL categories such as `@write`, `@string`.
    public var aclCategories: [String]
    /// Command tips such as `nondeterministic_output` or `request_policy:all_shards`.
    public var tips: [String]
    /// The key specifications of Redis 7: how to find every key argument.
    public var keySpecs: [KeySpec]
    /// The documentation group (`string`, `hash`, `generic`, `connection`, …).
    public var group: String
    /// The Redis version that introduced the command.
    public var since: String?
    /// Time complexity as documented.
    public var complexity: String?
    /// A one-line description.
    public var summary: String?
    /// Documentation flags such as `deprecated` or `syscmd`.
    public var docFlags: [String]
    /// The version that deprecated the command, if any.
    public var deprecatedSince: String?
    /// What replaces a deprecated command.
    public var replacedBy: String?
    /// Behaviour changes by version.
    public var history: [HistoryEntry]
    /// The argument tree.
    public var arguments: [Argument]
    /// Subcommands (`client|setname`, …), sorted by name.
    public var subcommands: [CommandSpec]

    public init(
        name: String, arity: Int, flags: [String], firstKey: Int, lastKey: Int, keyStep: Int,
        aclCategories: [String], tips: [String], keySpecs: [KeySpec], group: String, since: String?,
        complexity: String?, summary: String?, docFlags: [String], deprecatedSince: String?,
        replacedBy: String?, history: [HistoryEntry], arguments: [Argument], subcommands: [CommandSpec]
    ) {
        self.name = name
        self.arity = arity
        self.flags = flags
        self.firstKey = firstKey
        self.lastKey = lastKey
        self.keyStep = keyStep
        self.aclCategories = aclCategories
        self.tips = tips
        self.keySpecs = keySpecs
        self.group = group
        self.since = since
        self.complexity = complexity
        self.summary = summary
        self.docFlags = docFlags
        self.deprecatedSince = deprecatedSince
        self.replacedBy = replacedBy
        self.history = history
        self.arguments = arguments
        self.subcommands = subcommands
    }

    /// For `client|setname`: `client`; for a top-level command: its own name.
    public var containerName: String {
        name.split(separator: "|", maxSplits: 1).first.map(String.init) ?? name
    }

    /// For `client|setname`: `setname`; nil for a top-level command.
    public var subcommandName: String? {
        let parts = name.split(separator: "|", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : nil
    }

    /// Whether the command takes key arguments at all (key specs, or a legacy first key).
    public var hasKeyArguments: Bool { !keySpecs.isEmpty || firstKey != 0 }

    /// True when `flags` contains `flag`.
    public func hasFlag(_ flag: String) -> Bool { flags.contains(flag) }

    /// Whether `argumentCount` arguments (the command name included) satisfy the arity.
    public func accepts(argumentCount: Int) -> Bool {
        arity >= 0 ? argumentCount == arity : argumentCount >= -arity
    }

    /// The positions of the key arguments in `arguments` (the name at position 0) according to
    /// first/last/step, the legacy key positions Redis reports in `COMMAND INFO`.
    public func legacyKeyPositions(argumentCount: Int) -> [Int] {
        guard firstKey > 0, keyStep > 0 else { return [] }
        let last = lastKey >= 0 ? lastKey : argumentCount + lastKey
        guard last >= firstKey else { return [] }
        return Array(stride(from: firstKey, through: min(last, argumentCount - 1), by: keyStep))
    }

    /// One `history` entry: what changed in which version.
    public struct HistoryEntry: Sendable, Hashable, Codable {
        public var version: String
        public var change: String
        public init(version: String, change: String) {
            self.version = version
            self.change = change
        }
    }
}

/// A Redis 7 key specification: where the search for keys begins and how keys are found from there.
public struct KeySpec: Sendable, Hashable, Codable {
    public var notes: String?
    /// Access flags: `RO`, `RW`, `OW`, `RM`, `access`, `update`, `insert`, `delete`, …
    public var flags: [String]
    public var beginSearch: BeginSearch
    public var findKeys: FindKeys

    public init(notes: String?, flags: [String], beginSearch: BeginSearch, findKeys: FindKeys) {
        self.notes = notes
        self.flags = flags
        self.beginSearch = beginSearch
        self.findKeys = findKeys
    }

    /// `index` (a fixed position) or `keyword` (after a token such as `STREAMS`).
    public struct BeginSearch: Sendable, Hashable, Codable {
        public var type: String
        public var index: Int?
        public var keyword: String?
        public var startFrom: Int?
        public init(type: String, index: Int? = nil, keyword: String? = nil, startFrom: Int? = nil) {
            self.type = type
            self.index = index
            self.keyword = keyword
            self.startFrom = startFrom
        }
    }

    /// `range` (last key, step, limit) or `keynum` (a count argument says how many keys follow).
    public struct FindKeys: Sendable, Hashable, Codable {
        public var type: String
        public var lastKey: Int?
        public var keyStep: Int?
        public var limit: Int?
        public var keyNumIndex: Int?
        public var firstKey: Int?
        public init(type: String, lastKey: Int? = nil, keyStep: Int? = nil, limit: Int? = nil, keyNumIndex: Int? = nil, firstKey: Int? = nil) {
            self.type = type
            self.lastKey = lastKey
            self.keyStep = keyStep
            self.limit = limit
            self.keyNumIndex = keyNumIndex
            self.firstKey = firstKey
        }
    }
}

/// One node of a command's argument tree as `COMMAND DOCS` describes it.
public struct Argument: Sendable, Hashable, Codable {
    /// The kinds of argument Redis documents.
    public enum Kind: String, Sendable, Hashable, Codable {
        case string, integer, double, key, pattern
        case unixTime = "unix-time"
        case pureToken = "pure-token"
        case oneOf = "oneof"
        case block
    }

    public var name: String
    public var type: Kind
    public var displayText: String?
    /// For `key` arguments: which key spec describes them.
    public var keySpecIndex: Int?
    /// The literal token that introduces the argument (`EX`, `WITHSCORES`, …).
    public var token: String?
    public var summary: String?
    public var since: String?
    public var deprecatedSince: String?
    /// `optional`, `multiple`, `multiple_token`.
    public var flags: [String]
    /// Children of `oneof` and `block` arguments.
    public var arguments: [Argument]

    public init(
        name: String, type: Kind, displayText: String? = nil, keySpecIndex: Int? = nil, token: String? = nil,
        summary: String? = nil, since: String? = nil, deprecatedSince: String? = nil, flags: [String] = [],
        arguments: [Argument] = []
    ) {
        self.name = name
        self.type = type
        self.displayText = displayText
        self.keySpecIndex = keySpecIndex
        self.token = token
        self.summary = summary
        self.since = since
        self.deprecatedSince = deprecatedSince
        self.flags = flags
        self.arguments = arguments
    }

    public var isOptional: Bool { flags.contains("optional") }
    public var isMultiple: Bool { flags.contains("multiple") }
    public var isMultipleToken: Bool { flags.contains("multiple_token") }
}
