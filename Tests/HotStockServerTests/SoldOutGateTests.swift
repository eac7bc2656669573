import Foundation
import HotStockCore
import HotStockServer
import Hummingbird
import HummingbirdTesting
import RedisClient
import Testing

/// The sold-out gate (DESIGN section 13) against the real engine: after a sell-out,
/// `serve` answers `sold_out` itself; every way units come back reopens the SKU.
/// Serialized: one test drops every subscription of the test Redis.
@Suite("The sold-out gate answers for a sold-out SKU and reopens it", .serialized)
struct SoldOutGateTests {
    /// A test in which restock messages must do the work: flags would stay up this long.
    static let longLapse = Duration.seconds(5)

    @Test func answersWithoutRedisOnceTheEngineSaidSoldOut() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("gate")
        // A long lapse, and the listener subscribed first (a (re)connection drops every
        // flag): the flag must stay up however slow the machine.
        try await TestServer.application(inventory, soldOutGateLapse: Self.longLapse).test(.router) { client in
            try await waitForListener(client, inventory)
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 3}"#).status == .ok)
            #expect(try await hold(client, sku, "o1", qty: 2).status == .created)
            let engine = try await hold(client, sku, "o2", qty: 2)
            #expect(engine.status == .conflict && errorCode(engine) == "sold_out")

            // One unit is left: a hold of one is the engine's to take, the next is the gate's.
            #expect(try await hold(client, sku, "o3", qty: 1).status == .created)
            let first = try await hold(client, sku, "o4", qty: 1)
            #expect(first.status == .conflict && errorCode(first) == "sold_out")

            // Requests the engine refuses before stock are not the gate's.
            #expect(errorCode(try await hold(client, sku, "o6", qty: 1001)) == "invalid_argument")
            let badTTL = try await hold(client, sku, "o7", qty: 1, ttlMs: 10)
            #expect(errorCode(badTTL) == "invalid_argument")

            // The SKU is gone from Redis behind the server's back: the engine would say
            // sku_not_found, so an answer of sold_out came from the gate alone.
            _ = try await inventory.redis.send(.del([inventory.keys.skuKey(sku)]))
            let gated = try await hold(client, sku, "o5", qty: 1)
            #expect(gated.status == .conflict && gated.body == first.body)
            let metrics = String(buffer: try await client.call(.get, "/metrics", token: nil).body)
            #expect(metrics.contains("hotstock_sold_out_gate_answers_total"))
        }
    }

    @Test func buyerRulesStayTheEngines() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("gate")
        try await TestServer.application(inventory, soldOutGateLapse: Self.longLapse).test(.router) { client in
            try await waitForListener(client, inventory)
            let put = try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 1, "per_buyer_limit": 1}"#)
            #expect(put.status == .ok)
            #expect(try await hold(client, sku, "o1", buyer: "u1").status == .created)
            #expect(errorCode(try await hold(client, sku, "o2", buyer: "u2")) == "sold_out")
            // Without a buyer the engine says invalid_argument, sold out or not.
            let anonymous = try await hold(client, sku, "o3")
            #expect(anonymous.status == .badRequest && errorCode(anonymous) == "invalid_argument")
            #expect(errorCode(try await hold(client, sku, "o4", buyer: "u3")) == "sold_out")
            try await expectBalanced(inventory, sku, total: 1)
        }
    }

    @Test func whileTheFlagIsUpARepeatOfAHeldOrderIsAnsweredSoldOut() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("gate")
        try await TestServer.application(inventory, soldOutGateLapse: Self.longLapse).test(.router) { client in
            try await waitForListener(client, inventory)
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 1}"#).status == .ok)
            let held = try await hold(client, sku, "o1")
            #expect(held.status == .created)
            #expect(errorCode(try await hold(client, sku, "o2")) == "sold_out")
            // The documented trade-off: the gate cannot tell a repeat from a new order...
            #expect(errorCode(try await hold(client, sku, "o1")) == "sold_out")
            #expect(errorCode(try await hold(client, sku, "o1", qty: 2)) == "sold_out")
            // ...so a client that retried reads its hold, which is there, unchanged.
            let read = try await client.call(.get, "/v1/skus/\(sku)/holds/o1", token: TestServer.apiToken)
            #expect(read.status == .ok && read.body == held.body)
        }
        // With the gate off, the engine answers the repeat with the hold itself.
        try await TestServer.application(inventory, soldOutGateLapse: nil).test(.router) { client in
            let repeated = try await hold(client, sku, "o1")
            let changed = try await hold(client, sku, "o1", qty: 2)
            #expect(repeated.status == .ok)
            #expect(errorCode(changed) == "idempotency_conflict")
        }
        try await expectBalanced(inventory, sku, total: 1)
    }

    @Test func unitsReturnedThroughThisServerAreHeldByTheNextRequest() async throws {
        let inventory = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("gate")
        try await TestServer.application(inventory, soldOutGateLapse: Self.longLapse).test(.router) { client in
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 1}"#).status == .ok)
            #expect(try await hold(client, sku, "o1").status == .created)
            #expect(errorCode(try await hold(client, sku, "o2")) == "sold_out")
            #expect(errorCode(try await hold(client, sku, "o3")) == "sold_out")
            // A release.
            let release = try await client.call(.post, "/v1/skus/\(sku)/holds/o1/release", token: TestServer.apiToken)
            #expect(release.status == .ok)
            #expect(try await hold(client, sku, "o4").status == .created)
            #expect(errorCode(try await hold(client, sku, "o5")) == "sold_out")
            // A raised total.
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 2}"#).status == .ok)
            #expect(try await hold(client, sku, "o6").status == .created)
            #expect(errorCode(try await hold(client, sku, "o7")) == "sold_out")
            try await expectBalanced(inventory, sku, total: 2)
        }
    }

    @Test func unitsReturnedElsewhereReopenTheSKUByMessage() async throws {
        let inventory = try await TestServer.inventory()
        let elsewhere = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("gate")
        try await TestServer.application(inventory, soldOutGateLapse: Self.longLapse).test(.router) { client in
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 1}"#).status == .ok)
            try await waitForListener(client, inventory)

            // An expiry by another process's sweeper.
            #expect(try await hold(client, sku, "o1", ttlMs: 1000).status == .created)
            #expect(errorCode(try await hold(client, sku, "o2")) == "sold_out")
            try await Task.sleep(for: .milliseconds(1100))
            // Until this hold is expired: the partition may hold other tests' due holds too.
            while try await elsewhere.hold(sku: sku, order: "o1").state == .held {
                _ = try await elsewhere.expireDue(partition: inventory.keys.partition(of: sku), limit: 1000)
            }
            #expect(try await firstHeld(client, sku, order: "o3") < .seconds(1))

            // A raised total by another process (an operator's `hotstock stock set`).
            #expect(errorCode(try await hold(client, sku, "o4")) == "sold_out")
            _ = try await elsewhere.setSKU(sku, SKUUpdate(total: 2))
            #expect(try await firstHeld(client, sku, order: "o5") < .seconds(1))

            // A release by another server.
            #expect(errorCode(try await hold(client, sku, "o6")) == "sold_out")
            _ = try await elsewhere.release(sku: sku, order: "o5")
            #expect(try await firstHeld(client, sku, order: "o7") < .seconds(1))
            try await expectBalanced(inventory, sku, total: 2)
        }
    }

    @Test func aLostMessageCostsAtMostTheLapse() async throws {
        let inventory = try await TestServer.inventory()
        let elsewhere = try await TestServer.inventory()
        let sku = TestServer.uniqueSKU("gate")
        try await TestServer.application(inventory).test(.router) { client in
            #expect(try await client.call(.put, "/v1/skus/\(sku)", body: #"{"total": 1}"#).status == .ok)
            try await waitForListener(client, inventory)
            #expect(try await hold(client, sku, "o1").status == .created)
            #expect(errorCode(try await hold(client, sku, "o2")) == "sold_out")

            // Every subscription of the test Redis is dropped; the release's message is lost.
            try await killEverySubscription()
            _ = try await elsewhere.release(sku: sku, order: "o1")
            #expect(try await firstHeld(client, sku, order: "o3") <= .milliseconds(1300))
            try await expectBalanced(inventory, sku, total: 1)
        }
    }

    // MARK: - Helpers

    private func hold(
        _ client: some TestClientProtocol,
        _ sku: String,
        _ order: String,
        qty: Int = 1,
        buyer: String? = nil,
        ttlMs: Int? = nil
    ) async throws -> TestResponse {
        var fields = ["\"qty\": \(qty)"]
        if let buyer { fields.append("\"buyer\": \"\(buyer)\"") }
        if let ttlMs { fields.append("\"ttl_ms\": \(ttlMs)") }
        return try await client.call(
            .put,
            "/v1/skus/\(sku)/holds/\(order)",
            token: TestServer.apiToken,
            body: "{\(fields.joined(separator: ", "))}"
        )
    }

    /// How long until a hold of `order` is placed, trying every 10 ms for 3 s; each
    /// `sold_out` meanwhile was a false one.
    private func firstHeld(_ client: some TestClientProtocol, _ sku: String, order: String) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < .seconds(3) {
            let response = try await hold(client, sku, order)
            if response.status == .created { return clock.now - start }
            #expect(errorCode(response) == "sold_out")
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no hold of \(order) within 3 s")
        return .seconds(3)
    }

    /// Waits until this server's restock listener hears messages: a probe SKU is sold
    /// out (the flag goes up), deleted behind the server's back (so the engine would now
    /// say sku_not_found, the gate sold_out), and its restock published until the
    /// server asks the engine again. Other servers' subscriptions do not count.
    private func waitForListener(_ client: some TestClientProtocol, _ inventory: Inventory) async throws {
        let probe = TestServer.uniqueSKU("probe")
        #expect(try await client.call(.put, "/v1/skus/\(probe)", body: #"{"total": 0}"#).status == .ok)
        #expect(errorCode(try await hold(client, probe, "p1")) == "sold_out")
        _ = try await inventory.redis.send(.del([inventory.keys.skuKey(probe)]))
        let channel = inventory.keys.restockChannel(partition: inventory.keys.partition(of: probe))
        for _ in 0..<500 {
            _ = try await inventory.redis.send(RedisCommand("SPUBLISH", [channel, probe], keys: [channel]))
            if errorCode(try await hold(client, probe, "p1")) == "sku_not_found" { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the restock listener never heard a message")
    }

    /// Kills every pub/sub connection of the run's Redis, on every primary (the
    /// listener subscribes on the primary serving each channel's slot), as the operator.
    private func killEverySubscription() async throws {
        let url =
            ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_ADMIN_URL"]
            ?? "redis://admin:hotstock-admin-dev@127.0.0.1:16380/0"
        let admin = RedisConnectionPool(configuration: try RedisConfiguration(url: url), logger: TestServer.logger)
        _ = try await admin.sendToEveryPrimary(RedisCommand("CLIENT", ["KILL", "TYPE", "pubsub"]))
        await admin.shutdown()
    }

    private func expectBalanced(_ inventory: Inventory, _ sku: String, total: Int64) async throws {
        let stock = try await inventory.sku(sku)
        #expect(stock.total == total && stock.available + stock.held + stock.sold == stock.total)
        #expect(stock.available >= 0)
    }
}

@Suite("The sold-out gate's flags")
struct SoldOutGateFlagTests {
    let start = ContinuousClock.now
    let soldOut: InventoryError = {
        var error = InventoryError(.soldOut, "not enough available units")
        error.soldOut = SoldOutSnapshot(available: 0, maxQty: 10, requiresBuyer: false, version: 5)
        return error
    }()

    private func pass(_ gate: SoldOutGate, at now: ContinuousClock.Instant) -> SoldOutGate.Ticket? {
        if case .pass(let ticket) = gate.admit(sku: "s", qty: 1, hasBuyer: false, ttlMs: nil, now: now) {
            return ticket
        }
        return nil
    }

    @Test func aFlagLapsesByItself() throws {
        let gate = SoldOutGate(lapse: .seconds(1))
        let ticket = try #require(pass(gate, at: start))
        gate.learn(sku: "s", refusal: soldOut, ticket: ticket, now: start)
        #expect(pass(gate, at: start + .milliseconds(999)) == nil)
        #expect(pass(gate, at: start + .seconds(1)) != nil)
    }

    @Test func aRestockMessageOlderThanTheFlagDropsNothing() throws {
        let gate = SoldOutGate()
        let ticket = try #require(pass(gate, at: start))
        gate.learn(sku: "s", refusal: soldOut, ticket: ticket, now: start)
        // The refusal saw version 5: messages of versions up to 5 arrived late.
        gate.drop(sku: "s", version: 4)
        gate.drop(sku: "s", version: 5)
        #expect(pass(gate, at: start) == nil)
        gate.drop(sku: "s", version: 6)
        #expect(pass(gate, at: start) != nil)
    }

    @Test func aRefusalThatRacedARestockRaisesNoFlag() throws {
        let gate = SoldOutGate()
        let ticket = try #require(pass(gate, at: start))
        gate.drop(sku: "s")
        gate.learn(sku: "s", refusal: soldOut, ticket: ticket, now: start)
        #expect(pass(gate, at: start) != nil)

        let fresh = try #require(pass(gate, at: start))
        gate.dropAll()
        gate.learn(sku: "s", refusal: soldOut, ticket: fresh, now: start)
        #expect(pass(gate, at: start) != nil)
    }

    @Test func onlyAStockRefusalWithItsSnapshotRaisesAFlag() throws {
        let gate = SoldOutGate()
        let ticket = try #require(pass(gate, at: start))
        gate.learn(
            sku: "s",
            refusal: InventoryError(.soldOut, "not enough available units"),
            ticket: ticket,
            now: start
        )
        gate.learn(sku: "s", refusal: InventoryError(.buyerLimit, "limit"), ticket: ticket, now: start)
        #expect(pass(gate, at: start) != nil)
        gate.learn(sku: "s", refusal: soldOut, ticket: ticket, now: start)
        guard case .refuse(let answer) = gate.admit(sku: "s", qty: 1, hasBuyer: false, ttlMs: nil, now: start) else {
            Issue.record("the flag is not up")
            return
        }
        #expect(answer == InventoryError(.soldOut, "not enough available units"))
        // Other SKUs, and requests the engine refuses for another reason, pass.
        #expect(gate.admit(sku: "t", qty: 1, hasBuyer: false, ttlMs: nil, now: start).isPass)
        #expect(gate.admit(sku: "s", qty: 11, hasBuyer: false, ttlMs: nil, now: start).isPass)
        #expect(gate.admit(sku: "s", qty: 0, hasBuyer: false, ttlMs: nil, now: start).isPass)
        #expect(gate.admit(sku: "s", qty: 1, hasBuyer: false, ttlMs: 999, now: start).isPass)
    }
}

extension SoldOutGate.Decision {
    fileprivate var isPass: Bool {
        if case .pass = self { return true }
        return false
    }
}
