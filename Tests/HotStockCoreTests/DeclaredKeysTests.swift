import Foundation
import RedisClient
import Testing

@testable import HotStockCore

/// DESIGN section 11: every key a script touches is passed in `KEYS`, so a cluster can
/// route each call and no script reaches a key it was not given. The library runs here
/// instrumented: each `redis.call` checks its keys against the call's declared ones and
/// fails the call otherwise, and every operation of the engine runs through it.
@Suite("Declared keys")
struct DeclaredKeysTests {
    /// Lua put before the library's own text: a local `redis` (the scripts use only its
    /// `call`, `pcall` for a publish, and `register_function`) that checks each command's keys (the first
    /// argument; every argument of DEL and EXISTS; both of RENAME; none of TIME and
    /// SPUBLISH, whose shard channel is no key) against the keys of the function call
    /// running.
    static let keyChecker = """
        local declared = {}
        local KEY_ARGUMENTS = { DEL = 'all', EXISTS = 'all', RENAME = 2, TIME = 0, SPUBLISH = 0 }
        local checked = {}
        function checked.call(command, ...)
          local arguments = { ... }
          local count = KEY_ARGUMENTS[string.upper(command)] or 1
          if count == 'all' then
            count = #arguments
          end
          for i = 1, count do
            if not declared[arguments[i]] then
              error('undeclared key ' .. tostring(arguments[i]) .. ' in ' .. command)
            end
          end
          return redis.call(command, ...)
        end
        function checked.pcall(command, ...)
          if string.upper(command) ~= 'SPUBLISH' then
            error('pcall of ' .. command .. ': only a publish may fail quietly')
          end
          return redis.pcall(command, ...)
        end
        function checked.register_function(name, callback)
          local spec = callback and { function_name = name, callback = callback } or name
          local inner = spec.callback
          spec.callback = function(keys, args)
            declared = {}
            for _, key in ipairs(keys) do
              declared[key] = true
            end
            return inner(keys, args)
          end
          return redis.register_function(spec)
        end
        local redis = checked
        """

    static var checkedLibrary: String {
        let code = HotStockLibrary.code
        guard let header = code.firstIndex(of: "\n") else { preconditionFailure("the library has no header") }
        return code[..<header] + "\n" + keyChecker + code[header...]
    }

    @Test func everyOperationTouchesOnlyTheKeysItDeclares() async throws {
        let redis = try ScratchRedis()
        defer { redis.destroy() }
        try await redis.start()
        var configuration = try RedisConfiguration(url: redis.url)
        configuration.poolSize = 2
        let pool = RedisConnectionPool(configuration: configuration, logger: TestEngine.logger)
        let inventory = Inventory(
            redis: pool,
            configuration: InventoryConfiguration(keySpace: KeySpace(), codeSealer: TestEngine.codeSealer),
            logger: TestEngine.logger,
            libraryCode: Self.checkedLibrary
        )
        // A legacy per-buyer key is folded into its SKU's buyers hash on prepare.
        let counted = TestEngine.uniqueSKU("keys")
        let legacy = inventory.keys.prefix(of: counted) + "buyer:\(counted)/old-buyer"
        _ = try await pool.send(.set(legacy, "1"))
        try await inventory.prepare()
        #expect(try await pool.send(.exists(legacy)).int == 0)

        // Counted SKU: every transition, the sweeper and a reacquire.
        var update = SKUUpdate(total: 10)
        update.perBuyerLimit = .set(4)
        _ = try await inventory.setSKU(counted, update)
        _ = try await inventory.placeHold(sku: counted, order: "a", qty: 2, buyer: "b1")
        _ = try await inventory.confirm(sku: counted, order: "a")
        _ = try await inventory.placeHold(sku: counted, order: "r", qty: 1, buyer: "b1")
        _ = try await inventory.release(sku: counted, order: "r")
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: counted, order: "x", qty: 3, buyer: "b1") }
                == .buyerLimit
        )
        _ = try await inventory.placeHold(sku: counted, order: "e", qty: 1, buyer: "b2", ttlMs: 1000)
        _ = try await inventory.placeHold(sku: counted, order: "q", qty: 1, buyer: "b3", ttlMs: 1000)
        try await Task.sleep(for: .milliseconds(1100))
        let swept = try await Sweeper(inventory: inventory, logger: TestEngine.logger).sweepOnce()
        #expect(swept.expired == 2)
        let again = try await inventory.confirm(sku: counted, order: "q", reacquire: true)
        #expect(again.reacquired)
        let stock = try await expectBalanced(inventory, counted)
        #expect(stock.sold == 3 && stock.held == 0)
        let buyers = try await pool.send(
            .hmget(inventory.keys.buyersKey(counted), fields: ["b1", "b2", "b3", "old-buyer"])
        )
        #expect(buyers.array?.map(\.int) == [2, nil, 1, 1])

        // Codes SKU: load, hold, confirm, deliver.
        let coded = TestEngine.uniqueSKU("keys-codes")
        _ = try await inventory.setSKU(coded, SKUUpdate(kind: .codes))
        _ = try await inventory.loadCodes(sku: coded, batch: "b", codes: ["KEY-1", "KEY-2", "KEY-3"])
        _ = try await inventory.placeHold(sku: coded, order: "c", qty: 2)
        _ = try await inventory.placeHold(sku: coded, order: "live", qty: 1)
        _ = try await inventory.confirm(sku: coded, order: "c")
        #expect(try await inventory.deliverCodes(sku: coded, order: "c").codes.count == 2)

        // MySQL gets both SKUs; warm replaces them from it (staging, holds, buyers, pool).
        let cold = try await TestCold.store()
        _ = try await Syncer(redis: pool, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        let warmer = Warmer(inventory: inventory, cold: cold, logger: TestEngine.logger)
        let warmed = try await warmer.warm(sku: counted, force: true)
        #expect(warmed.warmed == [counted])
        _ = try await Syncer(redis: pool, keys: inventory.keys, cold: cold, logger: TestEngine.logger).syncOnce()
        let coldWarm = try await warmer.warm(sku: coded, force: true)
        #expect(coldWarm.warmed == [coded] && coldWarm.liveHolds == 1)
        let rebuilt = try await pool.send(.hmget(inventory.keys.buyersKey(counted), fields: ["b1", "b3"]))
        #expect(rebuilt.array?.map(\.int) == [2, 1])
        #expect(
            try await refusalCode { _ = try await inventory.placeHold(sku: counted, order: "y", qty: 3, buyer: "b1") }
                == .buyerLimit
        )
        #expect(try await inventory.poolSize(sku: coded) == 1)
        _ = try await expectBalanced(inventory, coded)

        // Buckets (not synced: MySQL keeps no bucket rows yet): a transfer in its three
        // steps, one finished by recovery, one returned.
        let bucket = BucketID(sku: counted, index: 1).description
        _ = try await inventory.setRecord(bucket, SKUUpdate(total: 5))
        #expect(try await inventory.moveUnits(from: bucket, to: counted, want: 2) == 2)
        _ = try await inventory.transferOut(id: TransferIDs.next(), from: bucket, to: counted, want: 1, least: 1)
        let gone = BucketID(sku: counted, index: 9).description
        _ = try await inventory.transferOut(id: TransferIDs.next(), from: bucket, to: gone, want: 1, least: 1)
        let recovery = try await inventory.finishTransfers(
            partition: inventory.keys.partition(of: bucket),
            olderThanMs: 0
        )
        #expect(recovery == TransferRecovery(credited: 1, returned: 1))
        #expect(try await inventory.record(bucket).available == 2)

        // A limited SKU spread over buckets (claims, routing by buyer), its count changed
        // while a hold of the old layout lives, which is then confirmed where it is.
        let spread = TestEngine.uniqueSKU("keys-spread")
        update = SKUUpdate(total: 12)
        update.perBuyerLimit = .set(2)
        update.buckets = 3
        _ = try await inventory.setSKU(spread, update)
        _ = try await inventory.placeHold(sku: spread, order: "s1", qty: 2, buyer: "b1")
        _ = try await inventory.release(sku: spread, order: "s1")
        _ = try await inventory.placeHold(sku: spread, order: "s2", qty: 1, buyer: "b1")
        update = SKUUpdate(total: 12)
        update.buckets = 5
        _ = try await inventory.setSKU(spread, update)
        _ = try await inventory.placeHold(sku: spread, order: "s3", qty: 1, buyer: "b1")
        _ = try await inventory.placeHold(sku: spread, order: "s4", qty: 1, buyer: "b2")
        _ = try await inventory.confirm(sku: spread, order: "s2")
        let resized = TestEngine.uniqueSKU("keys-resized")
        _ = try await inventory.setSKU(resized, SKUUpdate(total: 12))
        _ = try await inventory.placeHold(sku: resized, order: "old", qty: 2)
        update = SKUUpdate(total: 12)
        update.buckets = 4
        _ = try await inventory.setSKU(resized, update)
        _ = try await inventory.placeHold(sku: resized, order: "old", qty: 2)
        _ = try await inventory.placeHold(sku: resized, order: "new", qty: 2)
        _ = try await inventory.confirm(sku: resized, order: "old")
        #expect(try await inventory.sku(resized).sold == 2)

        // An order of several SKUs: its log, and a refused one compensated.
        let lines = [OrderLine(sku: resized, qty: 1), OrderLine(sku: spread, qty: 1)]
        _ = try await inventory.placeOrder("cart", OrderRequest(lines: lines, buyer: "b3"))
        let short = [OrderLine(sku: resized, qty: 1), OrderLine(sku: spread, qty: 50)]
        #expect(
            try await refusalCode {
                _ = try await inventory.placeOrder("cart2", OrderRequest(lines: short, buyer: "b4"))
            } != nil
        )
        // Confirmed (every line pinned first), released, and expired by recovery.
        #expect(try await inventory.confirmOrder("cart", reacquire: true).state == .confirmed)
        _ = try await inventory.placeOrder("cart3", OrderRequest(lines: lines, buyer: "b5"))
        #expect(try await inventory.releaseOrder("cart3").state == .released)
        _ = try await inventory.placeOrder("cart4", OrderRequest(lines: lines, buyer: "b6", ttlMs: 1000))
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try await Sweeper(inventory: inventory, logger: TestEngine.logger).sweepOnce().ordersRecovered == 1)
        #expect(try await inventory.order("cart4").state == .expired)

        // The checker bites: a hold called without its buyers key fails, and changes nothing.
        let located = inventory.keys.keys(of: counted)
        let before = try await inventory.sku(counted)
        await #expect(throws: RedisError.self) {
            _ = try await inventory.library.call(
                HotStockFunction.hold,
                keys: [located.skuKey, located.holdKey(order: "z"), located.expiryKey, located.eventsKey],
                arguments: [counted, "z", "1", "b9", "", "1"]
            )
        }
        #expect(try await inventory.sku(counted) == before)
        await pool.shutdown()
    }
}
