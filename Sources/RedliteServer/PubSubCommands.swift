import NIOCore
import RESP
import Redlite

/// SUBSCRIBE and friends: the connection's side of the engine's pub/sub hub.
extension ClientConnection {
    enum SubscriptionKind {
        case channel, pattern, shard

        var subscribeWord: String {
            switch self {
            case .channel: return "subscribe"
            case .pattern: return "psubscribe"
            case .shard: return "ssubscribe"
            }
        }
    }

    private var subscriptionCount: Int { channels.count + patterns.count }

    /// The subscriber that carries this connection's messages: created on first subscription.
    ///
    /// Messages land in the connection's inbox synchronously, on the publisher's thread, before the
    /// publisher's reply leaves; the connection drains the inbox before it handles its next request.
    /// So a message published before a client's next command is always delivered before that
    /// command's reply, as in Redis.
    private func makeSubscriber() -> PubSubHub.Subscriber {
        if let subscriber { return subscriber }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let inbox = self.inbox
        let created = PubSubHub.Subscriber { message in
            let wasEmpty = inbox.withLockedValue { queue -> Bool in
                queue.append(message)
                return queue.count == 1
            }
            if wasEmpty { eventLoop.execute { bound.value.drainInbox() } }
        }
        subscriber = created
        return created
    }

    /// Delivers every message waiting in the inbox.
    func drainInbox() {
        let messages = inbox.withLockedValue { queue -> [PubSubHub.Message] in
            defer { queue.removeAll() }
            return queue
        }
        for message in messages { deliver(message) }
    }

    private func push(_ elements: [RESPValue]) {
        reply(session.protocolVersion == .resp3 ? .push(elements) : .array(elements))
    }

    func subscribe(_ request: [ByteBuffer], kind: SubscriptionKind) {
        guard !departed else { return }
        let subscriber = makeSubscriber()
        let hub = server.store.pubsub
        for requested in request.dropFirst() {
            // Kept for as long as the subscription lasts, here and in the hub: a copy, not a slice of
            // the read buffer the request arrived in (see `watch`).
            let target = ByteBuffer(bytes: requested.readableBytesView)
            switch kind {
            case .channel:
                if channels.insert(target).inserted {
                    hub.subscribe(subscriber, channel: target)
                    subscriptionBytes += Self.keptSize(of: target)
                }
                push([.bulk(kind.subscribeWord), .bulkString(target), .integer(Int64(subscriptionCount))])
            case .pattern:
                if patterns.insert(target).inserted {
                    hub.subscribe(subscriber, pattern: target)
                    subscriptionBytes += Self.keptSize(of: target)
                }
                push([.bulk(kind.subscribeWord), .bulkString(target), .integer(Int64(subscriptionCount))])
            case .shard:
                if shardChannels.insert(target).inserted {
                    hub.subscribe(subscriber, shardChannel: target)
                    subscriptionBytes += Self.keptSize(of: target)
                }
                push([.bulk(kind.subscribeWord), .bulkString(target), .integer(Int64(shardChannels.count))])
            }
        }
        updateSubscriptionCounts()
        checkQueryBufferLimit()
    }

    func unsubscribe(_ request: [ByteBuffer], kind: SubscriptionKind) {
        let hub = server.store.pubsub
        let word = kind == .channel ? "unsubscribe" : kind == .pattern ? "punsubscribe" : "sunsubscribe"
        var targets = Array(request.dropFirst())
        if targets.isEmpty {
            switch kind {
            case .channel: targets = Array(channels)
            case .pattern: targets = Array(patterns)
            case .shard: targets = Array(shardChannels)
            }
            if targets.isEmpty {
                push([.bulk(word), .nullBulkString, .integer(Int64(kind == .shard ? shardChannels.count : subscriptionCount))])
                return
            }
        }
        for target in targets {
            switch kind {
            case .channel:
                if channels.remove(target) != nil, let subscriber {
                    hub.unsubscribe(subscriber, channel: target)
                    subscriptionBytes -= Self.keptSize(of: target)
                }
                push([.bulk(word), .bulkString(target), .integer(Int64(subscriptionCount))])
            case .pattern:
                if patterns.remove(target) != nil, let subscriber {
                    hub.unsubscribe(subscriber, pattern: target)
                    subscriptionBytes -= Self.keptSize(of: target)
                }
                push([.bulk(word), .bulkString(target), .integer(Int64(subscriptionCount))])
            case .shard:
                if shardChannels.remove(target) != nil, let subscriber {
                    hub.unsubscribe(subscriber, shardChannel: target)
                    subscriptionBytes -= Self.keptSize(of: target)
                }
                push([.bulk(word), .bulkString(target), .integer(Int64(shardChannels.count))])
            }
        }
        updateSubscriptionCounts()
    }

    func unsubscribeAll() {
        guard let subscriber else { return }
        let hub = server.store.pubsub
        for channel in channels { hub.unsubscribe(subscriber, channel: channel) }
        for pattern in patterns { hub.unsubscribe(subscriber, pattern: pattern) }
        for channel in shardChannels { hub.unsubscribe(subscriber, shardChannel: channel) }
        channels = []
        patterns = []
        shardChannels = []
        subscriptionBytes = 0
        updateSubscriptionCounts()
    }

    private func updateSubscriptionCounts() {
        let counts = (channels.count, patterns.count, shardChannels.count)
        handle?.update {
            $0.channels = counts.0
            $0.patterns = counts.1
            $0.shardChannels = counts.2
        }
    }

    /// A message from the hub, on this connection's event loop. A subscriber that does not read is
    /// disconnected at the output-buffer limit (hard, or soft for long enough): memory stays bounded.
    func deliver(_ message: PubSubHub.Message) {
        guard context != nil, context.channel.isActive else { return }
        if server.configuration.pubsubOutputLimit.isReached(pending: outputBytes, overSoftSince: &overSoftLimitSince) {
            return disconnectSlowSubscriber()
        }
        switch message.kind {
        case .message: push([.bulk("message"), .bulkString(message.channel), .bulkString(message.payload)])
        case .patternMessage(let pattern): push([.bulk("pmessage"), .bulkString(pattern), .bulkString(message.channel), .bulkString(message.payload)])
        case .shardMessage: push([.bulk("smessage"), .bulkString(message.channel), .bulkString(message.payload)])
        }
        flushIfNeeded()
    }

    private func disconnectSlowSubscriber() {
        server.logger.warning("closing client \(handle.id): pub/sub output buffer limit reached (\(outputBytes) bytes pending)")
        unsubscribeAll()
        context.close(promise: nil)
    }

    func pubsubIntrospection(_ request: [ByteBuffer]) {
        guard request.count >= 2 else {
            reply(.simpleError("ERR wrong number of arguments for 'pubsub' command"))
            return
        }
        let hub = server.store.pubsub
        switch request[1].lowercasedASCII {
        case "channels", "shardchannels":
            let shard = request[1].lowercasedASCII == "shardchannels"
            guard request.count <= 3 else {
                return reply(.simpleError("ERR unknown subcommand or wrong number of arguments for '\(String(buffer: request[1]))'. Try PUBSUB HELP."))
            }
            reply(.array(hub.activeChannels(matching: request.count == 3 ? request[2] : nil, shard: shard).map { .bulkString($0) }))
        case "numsub", "shardnumsub":
            let shard = request[1].lowercasedASCII == "shardnumsub"
            reply(.array(request.dropFirst(2).flatMap { [RESPValue.bulkString($0), .integer(Int64(hub.subscriberCount(channel: $0, shard: shard)))] }))
        case "numpat":
            reply(.integer(Int64(hub.patternCount)))
        case "help":
            reply(.array([
                "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "CHANNELS [<pattern>]",
                "    Return the currently active channels matching a <pattern> (default: '*').", "NUMPAT",
                "    Return number of subscriptions to patterns.", "NUMSUB [<channel> ...]",
                "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).", "SHARDCHANNELS [<pattern>]",
                "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]", "    Return the number of subscribers for the specified shard level channel(s)",
                "HELP", "    Prints this help.",
            ].map { .simpleString($0) }))
        default:
            reply(.simpleError("ERR unknown subcommand '\(String(buffer: request[1]))'. Try PUBSUB HELP."))
        }
    }
}
