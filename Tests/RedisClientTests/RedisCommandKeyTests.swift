import RedisClient
import Testing

/// Commands know the keys they touch: routing by key reads `keysAffected`, never the
/// arguments.
@Suite("Commands declare their keys")
struct RedisCommandKeyTests {
    @Test func typedCommandsDeclareExactlyTheKeysAmongTheirArguments() {
        let stream = "hs:{07}:events"
        let cases: [(RedisCommand, [String])] = [
            (
                .fcall("hs_hold", keys: ["hs:{07}:sku:a", "hs:{07}:hold:a/o"], arguments: ["a", "o"]),
                ["hs:{07}:sku:a", "hs:{07}:hold:a/o"]
            ),
            (.xreadgroup(stream, group: "g", consumer: "c", count: 10, from: ">"), [stream]),
            (.xautoclaim(stream, group: "g", consumer: "c", minIdleMs: 1, start: "0-0", count: 5), [stream]),
            (.xclaim(stream, group: "g", consumer: "c", minIdleMs: 0, ids: ["1-0"]), [stream]),
            (.xack(stream, group: "g", ids: ["1-0", "2-0"]), [stream]),
            (.xrange(stream, from: "(1-0", count: 1), [stream]), (.xinfoGroups(stream), [stream]),
            (.xtrim(stream, minID: "5-0"), [stream]), (.xgroupCreate(stream, group: "g"), [stream]),
            (.hmget("hs:{01}:sku:b", fields: ["total", "held"]), ["hs:{01}:sku:b"]),
            (.zrem("hs:{01}:expiry", members: ["b/o"]), ["hs:{01}:expiry"]),
            (.scan(cursor: "0", match: "hs:*"), []), (.time, []), (.functionLoad("#!lua name=x"), []),
        ]
        for (command, keys) in cases {
            #expect(command.keysAffected == keys, "\(command.arguments)")
            // Every declared key is one of the command's arguments.
            #expect(keys.allSatisfy(command.arguments.contains), "\(command.arguments)")
        }
        #expect(RedisCommand.fcall("f", keys: ["k"], arguments: []).arguments == ["FCALL", "f", "1", "k"])
    }
}
