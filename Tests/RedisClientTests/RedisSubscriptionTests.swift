import Foundation
import Logging
import RedisClient
import Testing

/// Subscriptions against the Redis that ops/dev.sh started for the test run.
@Suite("Subscriptions")
struct RedisSubscriptionTests {
    @Test func aSubscriptionHearsMessagesAndAnswersPings() async throws {
        let configuration = try RedisConnectionTests.configuration()
        let channel = "hs:{test}:channel:\(UUID().uuidString)"
        let subscription = try await RedisSubscription.open(
            channels: [channel],
            configuration: configuration,
            logger: RedisConnectionTests.logger
        )
        let pool = RedisConnectionPool(configuration: configuration, logger: RedisConnectionTests.logger)
        _ = try await pool.send("PUBLISH", channel, "sku-1")
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
}
