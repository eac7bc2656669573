import HotStockCore
import RedisClient
import Testing

@Suite("Bad input changes nothing")
struct BadInputTests {
    static let badIDs = ["", "has/slash", String(repeating: "x", count: 65), "space id", "ünïcode", "semi;colon"]

    @Test(arguments: [Int64(0), -1, Int64.min, 1_000_000_000_001, Int64.max])
    func qtyOutsideItsRangeIsInvalidArgument(qty: Int64) async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("qty")
        let (before, _) = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "o", qty: qty) }
                == .invalidArgument
        )
        #expect(try await expectBalanced(inventory, sku) == before)
    }

    @Test(arguments: [Int64(-1), 0, 999, 86_400_001, Int64.max])
    func ttlOutsideItsRangeIsInvalidArgument(ttl: Int64) async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("ttl")
        let (before, _) = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "o", ttlMs: ttl) }
                == .invalidArgument
        )
        #expect(try await expectBalanced(inventory, sku) == before)
    }

    @Test(arguments: badIDs)
    func badIdsAreInvalidArgumentEverywhere(id: String) async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("ids")
        let (before, _) = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        #expect(try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: id) } == .invalidArgument)
        #expect(try await refusalCode { _ = try await inventory.placeHold(sku: id, order: "o") } == .invalidArgument)
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: sku, order: "o", buyer: id) }
                == .invalidArgument
        )
        #expect(try await refusalCode { _ = try await inventory.confirm(sku: sku, order: id) } == .invalidArgument)
        #expect(try await refusalCode { _ = try await inventory.release(sku: sku, order: id) } == .invalidArgument)
        #expect(try await refusalCode { _ = try await inventory.setSKU(id, SKUUpdate(total: 1)) } == .invalidArgument)
        #expect(try await expectBalanced(inventory, sku) == before)
    }

    @Test func badSKUConfigIsInvalidArgumentAndKeepsTheSKU() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("config")
        let (before, _) = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        var updates: [SKUUpdate] = [SKUUpdate(total: -1), SKUUpdate(total: 1_000_000_000_001)]
        for change: (inout SKUUpdate) -> Void in [
            { $0.maxQty = .set(0) }, { $0.perBuyerLimit = .set(0) }, { $0.defaultTTLMs = .set(10) },
            { $0.releaseBurst = .set(-5) }, { $0.releaseRate = .set(-1) }, { $0.releaseRate = .set(.nan) },
            { $0.releaseRate = .set(1e20) }, { $0.releaseRate = .set(.infinity) },
            { $0.opensAtMs = .set(-1) },
        ] {
            var update = SKUUpdate(total: 10)
            change(&update)
            updates.append(update)
        }
        for update in updates {
            #expect(try await refusalCode { _ = try await inventory.setSKU(sku, update) } == .invalidArgument)
        }
        #expect(try await inventory.sku(sku) == before)
    }

    /// The scripts validate on their own, whatever a client sends them.
    @Test func scriptsRefuseMalformedArgumentsBeforeAnyWrite() async throws {
        let inventory = try await TestEngine.inventory()
        let pool = try TestEngine.pool()
        let library = RedisFunctionLibrary(name: HotStockLibrary.name, code: HotStockLibrary.code, pool: pool)
        let sku = TestEngine.uniqueSKU("raw")
        let (before, _) = try await inventory.setSKU(sku, SKUUpdate(total: 10))
        let located = inventory.keys.keys(of: sku)
        let holdKeys = [
            located.skuKey, located.holdKey(order: "o"), located.expiryKey, located.eventsKey, located.buyersKey,
        ]
        let badHolds: [[String]] = [
            [sku, "o", "abc", "", ""], [sku, "o", "1.5", "", ""], [sku, "o", "0", "", ""],
            [sku, "o", "-1", "", ""], [sku, "o", "99999999999999999999", "", ""],
            [sku, "o", "1e3", "", ""], [sku, "o", "1", "", "12"], [sku, "o", "1", "", "ten"],
            [sku, "o/x", "1", "", ""], [sku, "o", "1", "b/x", ""], [sku, "", "1", "", ""],
            [sku, "o", " 1", "", ""],
        ]
        for arguments in badHolds {
            let reply = try await library.call("hs_hold", keys: holdKeys, arguments: arguments)
            #expect(reply.array?.first?.string == "invalid_argument", "hs_hold \(arguments)")
        }
        let badSets: [[String]] = [
            [sku, "x"], [sku, "10", "max_qty"], [sku, "10", "colour", "red"], [sku, "10", "max_qty", "0"],
            [sku, "10", "release_rate", "1e3"], [sku, "10", "release_rate", "fast"],
        ]
        for arguments in badSets {
            let reply = try await library.call(
                "hs_set_sku",
                keys: [located.skuKey, located.eventsKey, located.codeSKUsKey],
                arguments: arguments
            )
            #expect(reply.array?.first?.string == "invalid_argument", "hs_set_sku \(arguments)")
        }
        let reply = try await library.call(
            "hs_confirm",
            keys: holdKeys + [located.codeEventsKey, located.poolKey, located.undeliveredKey],
            arguments: [sku, "o", "1000", "yes"]
        )
        #expect(reply.array?.first?.string == "invalid_argument")
        #expect(try await inventory.sku(sku) == before)
        await pool.shutdown()
    }
}
