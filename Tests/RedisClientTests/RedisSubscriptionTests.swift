import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import RedisClient

/// Subscriptions against the Redis that ops/dev.sh started for the test run.
@Suite("Subscriptions")
struct RedisSubscriptionTests {
    @Test func aSubscriptionHearsMessagesAndAnswersPings() async throws {
        let configuration = try RedisConnectionTests.configuration()
        let channel = "hs:{test}:channel:\(UUID().uuidString)"
        let pool = RedisConnectionPool(configuration: configuration, logger: RedisConnectionTests.logger)
        // A shard channel is subscribed on the node serving its slot (on a cluster).
        var node = configuration
        node.seeds = [try await pool.node(serving: channel)]
        let subscription = try await RedisSubscription.open(
            channels: [channel],
            configuration: node,
            logger: RedisConnectionTests.logger
        )
        _ = try await pool.send(RedisCommand("SPUBLISH", [channel, "sku-1"], keys: [channel]))
        var iterator = subscription.messages.makeAsyncIterator()
        let message = await iterator.next()
        #expect(message?.channel == channel && message?.payload == "sku-1")

        // Quiet, the connection brings nothing; a ping brings its pong.
        try await Task.sleep(for: .milliseconds(300))
        #expect(subscription.sinceLastReply >= .milliseconds(300))
        subscription.ping()
        var answered = false
        for _ in 0..<100 where !answered {
            try await Task.sleep(for: .milliseconds(10))
            answered = subscription.sinceLastReply < .milliseconds(200)
        }
        #expect(answered, "no pong")

        await subscription.close()
        #expect(await iterator.next() == nil)
        await pool.shutdown()
    }

    /// When a channel's slot moves to another node, Redis unsubscribes it by itself
    /// (`sunsubscribe`): the subscription ends, so its listener subscribes again where
    /// the slot now is, instead of waiting on a channel that no longer brings anything.
    @Test func aChannelUnsubscribedByRedisEndsTheSubscription() async throws {
        let channel = EmbeddedChannel()
        let ready = channel.eventLoop.makePromise(of: Void.self)
        let (messages, continuation) = AsyncStream.makeStream(of: RedisMessage.self)
        try channel.pipeline.syncOperations.addHandler(
            RedisSubscriptionHandler(acknowledgements: 1, ready: ready, continuation: continuation, clock: ReplyClock())
        )
        func push(_ text: String) throws {
            try channel.writeInbound(channel.allocator.buffer(string: text.replacingOccurrences(of: "|", with: "\r\n")))
        }
        try push("*3|$10|ssubscribe|$4|hs:a|:1|")
        try await ready.futureResult.get()
        try push("*3|$8|smessage|$4|hs:a|$5|sku 1|")
        try push("*3|$12|sunsubscribe|$4|hs:a|:0|")
        var iterator = messages.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.channel == "hs:a" && first?.payload == "sku 1")
        #expect(await iterator.next() == nil)
        #expect(!channel.isActive)
    }
}
