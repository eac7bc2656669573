import Foundation
import HotStockCore
import MariaDBClient
import RedisClient
import Testing

/// The users of ops/redis/users.acl and ops/mariadb/users.sql can do their job and
/// nothing more.
@Suite("Least privilege")
struct LeastPrivilegeTests {
    @Test(arguments: [
        ["FLUSHALL"], ["FLUSHDB"], ["CONFIG", "GET", "maxmemory"], ["KEYS", "*"], ["SCRIPT", "FLUSH"],
        ["SHUTDOWN"], ["FUNCTION", "FLUSH"], ["SET", "not-ours", "x"], ["ACL", "LIST"],
    ])
    func theEngineRedisUserGetsNOPERMOutsideItsJob(command: [String]) async throws {
        let pool = try TestEngine.pool()
        do {
            _ = try await pool.send(RedisCommand(arguments: command))
            Issue.record("the engine's user may run \(command)")
        } catch {
            #expect(error.code == .replyError && error.message.hasPrefix("NOPERM"), "\(error)")
        }
        await pool.shutdown()
    }

    /// The default user keeps every permission (Redis replays the AOF with them), so it
    /// must be unusable: off, without a password.
    @Test func aClientWithoutAUserCanDoNothing() async throws {
        let engine = try RedisConfiguration(url: TestEngine.redisURL)
        var anonymous = engine
        anonymous.username = nil
        anonymous.password = nil
        let pool = RedisConnectionPool(configuration: anonymous, logger: TestEngine.logger)
        for command in [["GET", "hs:x"], ["FLUSHALL"], ["AUTH", "default", ""], ["AUTH", "default", "nopass"]] {
            do {
                _ = try await pool.send(RedisCommand(arguments: command))
                Issue.record("an anonymous client may run \(command)")
            } catch {
                #expect(error.message.hasPrefix("NOAUTH") || error.message.hasPrefix("WRONGPASS"), "\(error)")
            }
        }
        await pool.shutdown()
    }

    @Test func theOpsRedisUserReadsButCannotWrite() async throws {
        let inventory = try await TestEngine.inventory()
        let sku = TestEngine.uniqueSKU("ops")
        _ = try await inventory.setSKU(sku, SKUUpdate(total: 3))
        let url =
            ProcessInfo.processInfo.environment["HOTSTOCK_REDIS_OPS_URL"]
            ?? "redis://ops:hotstock-ops-dev@127.0.0.1:16380/0"
        let ops = RedisConnectionPool(configuration: try RedisConfiguration(url: url), logger: TestEngine.logger)
        #expect(try await ops.send("HGET", inventory.keys.skuKey(sku), "total").string == "3")
        for command in [
            ["HSET", inventory.keys.skuKey(sku), "total", "99"], ["FCALL", "hs_hold", "0"],
            ["DEL", inventory.keys.skuKey(sku)],
        ] {
            do {
                _ = try await ops.send(RedisCommand(arguments: command))
                Issue.record("the ops user may run \(command[0])")
            } catch {
                #expect(error.message.hasPrefix("NOPERM"), "\(error)")
            }
        }
        #expect(try await inventory.sku(sku).total == 3)
        await ops.shutdown()
    }

    @Test func theReadOnlyMySQLUserCannotWriteAndTheEngineCannotDeleteOrAlter() async throws {
        let engine = try TestCold.plainStore(url: TestCold.mysqlURL)
        let readOnly = try TestCold.plainStore(url: TestCold.readOnlyURL)
        _ = try await TestCold.store()
        let rows = try await readOnly.skus()
        _ = rows
        for (store, statement) in [
            (
                readOnly,
                "INSERT INTO skus (sku, total, available, held, sold, version) VALUES ('ro-test', 1, 1, 0, 0, 1)"
            ),
            (readOnly, "UPDATE skus SET total = total WHERE sku = 'nothing'"),
            (engine, "DELETE FROM holds WHERE sku = 'nothing'"), (engine, "DROP TABLE holds"),
            (engine, "ALTER TABLE skus ADD COLUMN x INT"), (engine, "CREATE TABLE intruder (x INT)"),
        ] {
            do {
                try await store.pool.withConnection { connection in try await connection.executeText(statement) }
                Issue.record("\(statement) was allowed")
            } catch let error as MariaDBError {
                #expect(error.code == .accessDenied, "\(statement): \(error)")
            }
        }
        await engine.pool.shutdown()
        await readOnly.pool.shutdown()
    }
}
