public import RESP

/// The spec as a server answers COMMAND INFO and COMMAND DOCS, in the shape Redis 7 uses.
extension CommandSpec {
    /// One COMMAND INFO entry.
    public var infoReply: RESPValue {
        .array([
            .bulk(name),
            .integer(Int64(arity)),
            .set(flags.map { .simpleString($0) }),
            .integer(Int64(firstKey)),
            .integer(Int64(lastKey)),
            .integer(Int64(keyStep)),
            .set(aclCategories.map { .simpleString($0) }),
            .set(tips.map { .simpleString($0) }),
            .array(keySpecs.map(\.reply)),
            .array(subcommands.map(\.infoReply)),
        ])
    }

    /// One COMMAND DOCS entry (the value under the command's name).
    public var docsReply: RESPValue {
        var pairs: [RESPValue.Pair] = []
        func add(_ key: String, _ value: RESPValue) { pairs.append(.init(.bulk(key), value)) }
        if let summary { add("summary", .bulk(summary)) }
        if let since { add("since", .bulk(since)) }
        add("group", .bulk(group))
        if let complexity { add("complexity", .bulk(complexity)) }
        if !docFlags.isEmpty { add("doc_flags", .set(docFlags.map { .simpleString($0) })) }
        if let deprecatedSince { add("deprecated_since", .bulk(deprecatedSince)) }
        if let replacedBy { add("replaced_by", .bulk(replacedBy)) }
        if !history.isEmpty { add("history", .array(history.map { .array([.bulk($0.version), .bulk($0.change)]) })) }
        if !arguments.isEmpty { add("arguments", .array(arguments.map(\.reply))) }
        if !subcommands.isEmpty { add("subcommands", .map(subcommands.map { .init(.bulk($0.name), $0.docsReply) })) }
        return .map(pairs)
    }

    /// Positions of the key arguments in a concrete invocation (COMMAND GETKEYS), from the key specs
    /// (falling back to first/last/step).
    public func keyPositions(arguments: [String]) -> [Int] {
        if keySpecs.isEmpty { return legacyKeyPositions(argumentCount: arguments.count) }
        return keyPositionsAndFlags(arguments: arguments).map(\.position)
    }

    /// MIGRATE's keys as Redis's key procedure finds them (its key specs alone would give both forms
    /// at once): the key argument, or, with a KEYS option that has something after it (AUTH's
    /// password and AUTH2's user and password skipped on the way), the arguments after KEYS, which
    /// requires the key argument to be empty (no keys otherwise, an error for COMMAND GETKEYS). Each
    /// gets the flags of the key spec for the plain form.
    private func migrateKeys(arguments: [String]) -> [Int] {
        guard arguments.count > 3 else { return [] }
        var index = 6
        while index < arguments.count {
            switch arguments[index].lowercased() {
            case "keys" where index + 1 < arguments.count:
                return arguments[3].isEmpty ? Array(index + 1..<arguments.count) : []
            case "auth": index += 1
            case "auth2": index += 2
            default: break
            }
            index += 1
        }
        return [3]
    }

    /// SORT's STORE destination, found as Redis's key procedure finds it: LIMIT skips two arguments,
    /// BY and GET one, and the last STORE wins.
    private func sortStoreKey(arguments: [String]) -> [Int] {
        var store: Int?
        var index = 2
        while index < arguments.count {
            switch arguments[index].lowercased() {
            case "limit": index += 2
            case "get", "by": index += 1
            case "store" where index + 1 < arguments.count: store = index + 1
            default: break
            }
            index += 1
        }
        return store.map { [$0] } ?? []
    }

    /// Each key's position and its flags (COMMAND GETKEYSANDFLAGS). A key spec marked
    /// `variable_flags` has its flags worked out from the arguments, as Redis's key procedures do:
    /// SET writes over its key (OW) unless GET reads it first; BITFIELD only reads (RO) unless one of
    /// its operations writes.
    public func keyPositionsAndFlags(arguments: [String]) -> [(position: Int, flags: [String])] {
        if keySpecs.isEmpty { return legacyKeyPositions(argumentCount: arguments.count).map { ($0, []) } }
        if name == "migrate" {
            let flags = keySpecs[0].flags
            return migrateKeys(arguments: arguments).map { ($0, flags) }
        }
        var keys: [(position: Int, flags: [String])] = []
        for spec in keySpecs {
            let flags = spec.flags.contains("variable_flags") ? variableFlags(arguments: arguments, spec: spec) : spec.flags
            keys += keyPositions(arguments: arguments, spec: spec).map { ($0, flags) }
        }
        return keys
    }

    private func variableFlags(arguments: [String], spec: KeySpec) -> [String] {
        let words = arguments.dropFirst(2).map { $0.lowercased() }
        switch name {
        case "set":
            return words.contains("get") ? ["RW", "access", "update"] : ["OW", "update"]
        case "bitfield":
            return words.contains { $0 == "set" || $0 == "incrby" } ? ["RW", "access", "update"] : ["RO", "access"]
        default:
            return spec.flags.filter { $0 != "variable_flags" }
        }
    }

    /// The positions of the keys one key spec finds in `arguments`.
    private func keyPositions(arguments: [String], spec: KeySpec) -> [Int] {
        let start: Int?
        if spec.beginSearch.type == "unknown", name == "sort", spec.flags.contains("OW") { return sortStoreKey(arguments: arguments) }
        switch spec.beginSearch.type {
        case "index":
            start = spec.beginSearch.index
        case "keyword":
            guard let keyword = spec.beginSearch.keyword?.lowercased() else { return [] }
            let from = spec.beginSearch.startFrom ?? 1
            let candidates = from >= 0 ? Array(from..<arguments.count) : Array((1..<max(1, arguments.count + from + 1)).reversed())
            start = candidates.first { arguments[$0].lowercased() == keyword }.map { $0 + 1 }
        default:
            return []
        }
        guard let first = start, first < arguments.count else { return [] }
        switch spec.findKeys.type {
        case "range":
            let lastKey = spec.findKeys.lastKey ?? 0
            let step = max(1, spec.findKeys.keyStep ?? 1)
            var last = lastKey >= 0 ? first + lastKey : arguments.count + lastKey
            if let limit = spec.findKeys.limit, limit > 1, lastKey < 0 {
                last = first + (arguments.count - first) / limit - 1
            }
            return last >= first ? Array(stride(from: first, through: min(last, arguments.count - 1), by: step)) : []
        case "keynum":
            let numberIndex = first + (spec.findKeys.keyNumIndex ?? 0)
            guard numberIndex < arguments.count, let count = Int(arguments[numberIndex]), count > 0 else { return [] }
            let firstKey = first + (spec.findKeys.firstKey ?? 1)
            let step = max(1, spec.findKeys.keyStep ?? 1)
            return Array(stride(from: firstKey, to: min(arguments.count, firstKey + count * step), by: step))
        default:
            return []
        }
    }
}

extension KeySpec {
    var reply: RESPValue {
        var pairs: [RESPValue.Pair] = []
        if let notes { pairs.append(.init(.bulk("notes"), .bulk(notes))) }
        pairs.append(.init(.bulk("flags"), .set(flags.map { .simpleString($0) })))
        var begin: [RESPValue.Pair] = []
        if let index = beginSearch.index { begin.append(.init(.bulk("index"), .integer(Int64(index)))) }
        if let keyword = beginSearch.keyword { begin.append(.init(.bulk("keyword"), .bulk(keyword))) }
        if let startFrom = beginSearch.startFrom { begin.append(.init(.bulk("startfrom"), .integer(Int64(startFrom)))) }
        pairs.append(.init(.bulk("begin_search"), .map([.init(.bulk("type"), .bulk(beginSearch.type)), .init(.bulk("spec"), .map(begin))])))
        var find: [RESPValue.Pair] = []
        if let lastKey = findKeys.lastKey { find.append(.init(.bulk("lastkey"), .integer(Int64(lastKey)))) }
        if let keyStep = findKeys.keyStep { find.append(.init(.bulk("keystep"), .integer(Int64(keyStep)))) }
        if let limit = findKeys.limit { find.append(.init(.bulk("limit"), .integer(Int64(limit)))) }
        if let keyNumIndex = findKeys.keyNumIndex { find.append(.init(.bulk("keynumidx"), .integer(Int64(keyNumIndex)))) }
        if let firstKey = findKeys.firstKey { find.append(.init(.bulk("firstkey"), .integer(Int64(firstKey)))) }
        pairs.append(.init(.bulk("find_keys"), .map([.init(.bulk("type"), .bulk(findKeys.type)), .init(.bulk("spec"), .map(find))])))
        return .map(pairs)
    }
}

extension Argument {
    var reply: RESPValue {
        var pairs: [RESPValue.Pair] = [.init(.bulk("name"), .bulk(name)), .init(.bulk("type"), .bulk(type.rawValue))]
        if let displayText { pairs.append(.init(.bulk("display_text"), .bulk(displayText))) }
        if let keySpecIndex { pairs.append(.init(.bulk("key_spec_index"), .integer(Int64(keySpecIndex)))) }
        if let token { pairs.append(.init(.bulk("token"), .bulk(token))) }
        if let summary { pairs.append(.init(.bulk("summary"), .bulk(summary))) }
        if let since { pairs.append(.init(.bulk("since"), .bulk(since))) }
        if let deprecatedSince { pairs.append(.init(.bulk("deprecated_since"), .bulk(deprecatedSince))) }
        if !flags.isEmpty { pairs.append(.init(.bulk("flags"), .set(flags.map { .simpleString($0) }))) }
        if !arguments.isEmpty { pairs.append(.init(.bulk("arguments"), .array(arguments.map(\.reply)))) }
        return .map(pairs)
    }
}
