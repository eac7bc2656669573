import Foundation
import Testing

/// Runs the built `hotstock` binary against the test Redis and checks what a script or
/// an operator sees: exit codes, stdout and stderr.
@Suite("hotstock command line")
struct CommandLineTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// `false` when a signal ended the process (`status` is then the signal).
        var exitedNormally = true

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]) ?? [:]
        }
    }

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "hotstock")
    }

    static func hotstock(_ arguments: String..., environment extra: [String: String] = [:]) throws -> Run {
        try hotstock(arguments, environment: extra)
    }

    static func hotstock(
        _ arguments: [String],
        environment extra: [String: String] = [:],
        timeout: Duration? = nil
    ) throws -> Run {
        var environment = ProcessInfo.processInfo.environment
        environment["HOTSTOCK_REDIS_URL"] =
            environment["HOTSTOCK_REDIS_URL"] ?? "redis://hotstock:hotstock-dev@127.0.0.1:16380/0"
        environment["HOTSTOCK_CODE_KEY"] = environment["HOTSTOCK_CODE_KEY"] ?? Self.testCodeKey
        environment.merge(extra) { $1 }
        let result = try SpawnedProcess.run(binary.path, arguments, environment: environment, timeout: timeout)
        return Run(
            status: result.status,
            stdout: String(decoding: result.stdout, as: UTF8.self),
            stderr: String(decoding: result.stderr, as: UTF8.self),
            exitedNormally: result.exitedNormally
        )
    }

    static func uniqueSKU() -> String { "cli-\(UUID().uuidString.prefix(13))" }

    /// A code key of the tests' own, when the run exports none.
    static let testCodeKey =
        "tk:" + Data((0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).base64EncodedString()

    @Test func stockAndHoldCommandsPrintTheContractBodies() throws {
        let sku = Self.uniqueSKU()
        let set = try Self.hotstock("stock", "set", sku, "--total", "5", "--max-qty", "3", "--json")
        #expect(set.status == 0)
        #expect(
            Set(set.json.keys) == [
                "sku", "kind", "total", "available", "held", "sold", "version", "per_buyer_limit", "opens_at_ms",
                "release_rate", "release_burst", "default_ttl_ms", "max_qty", "buckets",
            ]
        )
        #expect(set.json["per_buyer_limit"] is NSNull && set.json["max_qty"] as? Int == 3)
        #expect(set.json["buckets"] as? Int == 1)
        let spread = Self.uniqueSKU()
        let made = try Self.hotstock("stock", "set", spread, "--total", "9", "--buckets", "3", "--json")
        #expect(made.status == 0 && made.json["buckets"] as? Int == 3 && made.json["available"] as? Int == 9)
        let shown = try Self.hotstock("stock", "show", spread, "--buckets", "--json")
        let buckets = (try? JSONSerialization.jsonObject(with: Data(shown.stdout.utf8))) as? [[String: Any]] ?? []
        #expect(buckets.map { $0["bucket"] as? Int } == [0, 1, 2])
        #expect(buckets.allSatisfy { $0["total"] as? Int == 3 && $0["available"] as? Int == 3 })

        let place = try Self.hotstock("hold", "place", sku, "o1", "--qty", "2", "--buyer", "u1", "--json")
        #expect(place.status == 0)
        #expect(
            Set(place.json.keys) == [
                "sku", "order", "qty", "buyer", "state", "expires_at_ms", "created_at_ms", "final_at_ms",
            ]
        )
        #expect(place.json["state"] as? String == "held" && place.json["final_at_ms"] is NSNull)

        let confirm = try Self.hotstock("hold", "confirm", sku, "o1", "--json")
        #expect(confirm.status == 0 && confirm.json["state"] as? String == "confirmed")
        let show = try Self.hotstock("stock", "show", sku, "--json")
        #expect(show.json["sold"] as? Int == 2 && show.json["available"] as? Int == 3)
        let hold = try Self.hotstock("hold", "show", sku, "o1")
        #expect(hold.status == 0 && hold.stdout.contains("state: confirmed"))
    }

    @Test func refusalsExitThreeWithTheErrorBody() throws {
        let sku = Self.uniqueSKU()
        #expect(try Self.hotstock("stock", "set", sku, "--total", "1").status == 0)
        #expect(try Self.hotstock("hold", "place", sku, "o1").status == 0)
        let soldOut = try Self.hotstock("hold", "place", sku, "o2", "--json")
        #expect(soldOut.status == 3)
        #expect((soldOut.json["error"] as? [String: Any])?["code"] as? String == "sold_out")
        let released = try Self.hotstock("hold", "release", sku, "o1")
        #expect(released.status == 0)
        let confirm = try Self.hotstock("hold", "confirm", sku, "o1")
        #expect(confirm.status == 3 && confirm.stderr.contains("hold_released"))
        let missing = try Self.hotstock("stock", "show", Self.uniqueSKU())
        #expect(missing.status == 3 && missing.stderr.contains("sku_not_found"))
    }

    @Test(arguments: [
        ["hold", "place", "cli-x", "o", "--qty", "0"], ["hold", "place", "cli-x", "o", "--qty", "-1"],
        ["hold", "place", "cli-x", "o", "--qty", "abc"],
        ["hold", "place", "cli-x", "o", "--qty", "99999999999999999999"],
        ["hold", "place", "cli-x", "o/1"], ["hold", "place", "cli-x", String(repeating: "o", count: 65)],
        ["hold", "place", "cli-x", "o", "--ttl-ms", "10"], ["stock", "set", "cli-x"],
        ["stock", "set", "cli-x", "--total", "x"],
        ["hold", "frobnicate"], ["stock", "set", "cli-x", "--total", "1", "--clear", "colour"],
        ["sweep", "--batch-size", "0"], ["sweep", "--shard", "2/2"], ["sweep", "--shard", "x"],
        ["stock", "show", "cli-x", "--partitions", "0"],
    ])
    func badUsageAndInvalidArgumentsExitTwo(arguments: [String]) throws {
        let process = try Self.hotstock(arguments)
        #expect(process.status == 2, "\(arguments) exited \(process.status): \(process.stderr)")
    }

    @Test func unreachableRedisExitsOneWithOneLineAndNoPassword() throws {
        let run = try Self.hotstock(
            "stock",
            "show",
            "anything",
            environment: ["HOTSTOCK_REDIS_URL": "redis://hotstock:pa55word-xyz@127.0.0.1:1/0"]
        )
        #expect(run.status == 1)
        #expect(!run.stderr.contains("pa55word-xyz") && !run.stdout.contains("pa55word-xyz"))
        #expect(run.stderr.contains("unavailable"))
    }

    @Test(arguments: [
        "mysql://hotstock:wrong-pass-42@127.0.0.1:13307/hotstock",
        "mysql://hotstock:wrong-pass-42@127.0.0.1:1/hotstock",
        "mysql://hotstock:wrong-pass-42@127.0.0.1:13307/no_such_database",
        "mysql:/hotstock:wrong-pass-42@127.0.0.1/hotstock",
        "postgres://x:wrong-pass-42@h/db",
        "mysql://hotstock:wrong-pass-42@127.0.0.1:13307/",
    ])
    func badMySQLSettingsExitOneWithOneClearLine(url: String) throws {
        for command in [["migrate"], ["sync", "--once"], ["reconcile"], ["warm"]] {
            let run = try Self.hotstock(command + ["--mysql-url", url])
            #expect(run.status == 1, "\(command) \(url) exited \(run.status)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(command) printed \(run.stderr)")
            #expect(!run.stderr.contains("wrong-pass-42") && !run.stdout.contains("wrong-pass-42"))
        }
    }

    @Test func migrateSyncReconcileAndWarmFromTheCommandLine() throws {
        let sku = Self.uniqueSKU()
        let admin =
            ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_ADMIN_URL"]
            ?? "mysql://hotstock_admin:hotstock-dev@127.0.0.1:13307/hotstock"
        #expect(try Self.hotstock("migrate", "--mysql-url", admin).status == 0)
        #expect(try Self.hotstock("stock", "set", sku, "--total", "7").status == 0)
        #expect(try Self.hotstock("hold", "place", sku, "o1", "--qty", "2").status == 0)
        let sync = try Self.hotstock("sync", "--once")
        #expect(sync.status == 0 && sync.stdout.contains("applied"))
        let reconcile = try Self.hotstock("reconcile", "--sku", sku, "--json")
        #expect(reconcile.status == 0, "\(reconcile.stdout)")
        #expect(reconcile.json["drifted"] as? Int == 0 && (reconcile.json["compared"] as? Int ?? 0) >= 2)
        let warm = try Self.hotstock("warm", "--sku", sku)
        #expect(warm.status == 3 && warm.stderr.contains("sku_exists"))
    }

    @Test func sweepOnceReportsWhatItExpired() throws {
        let run = try Self.hotstock("sweep", "--once", "--json")
        #expect(run.status == 0)
        #expect(run.json["expired"] is Int && run.json["max_lag_ms"] is Int)
    }
}

/// Random command lines built from the real commands, flags and nasty values: every run
/// must end with one of the documented exit codes (never a crash or a hang), and no SKU
/// it touched may be out of balance.
@Suite("hotstock command-line fuzz")
struct CommandLineFuzzTests {
    static let nasty = [
        "", "-", "--", "-1", "0", "1", "3", "NaN", "inf", "1e3", "9223372036854775808", "-9223372036854775809", "-0",
        "0x10", "été", "💥", "\u{202E}rtl", "a/b", "a b", "a\nb", "%s%n", "$(touch /tmp/pwned)", "' OR 1=1 --",
        String(repeating: "k", count: 8 * 1024), "--json", "--qty", "--total", "fuzz-sku", "fuzz-order",
    ]
    static let commands: [[String]] = [
        ["stock", "set"], ["stock", "show"], ["hold", "place"], ["hold", "confirm"], ["hold", "release"],
        ["hold", "show"], ["sweep", "--once"], ["stock"], ["hold"], [],
    ]
    static let flags = [
        "--total", "--qty", "--buyer", "--ttl-ms", "--max-qty", "--per-buyer-limit", "--opens-at-ms", "--release-rate",
        "--release-burst", "--default-ttl-ms", "--clear", "--reacquire", "--json", "--partitions", "--batch-size",
        "--redis-url",
    ]

    @Test func randomCommandLinesExitWithADocumentedCode() throws {
        var random = SystemRandomNumberGenerator()
        var seed = UInt64.random(in: 0...UInt64.max, using: &random)
        let firstSeed = seed
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let sku = "fuzz-\(UUID().uuidString.prefix(8))"
        _ = try CommandLineTests.hotstock("stock", "set", sku, "--total", "20")
        var statuses: [Int32: Int] = [:]
        for _ in 0..<150 {
            var arguments = Self.commands[next(Self.commands.count)]
            let positional = [sku, "o\(next(5))", Self.nasty[next(Self.nasty.count)]]
            for _ in 0..<next(3) { arguments.append(positional[next(positional.count)]) }
            for _ in 0..<next(4) {
                arguments.append(Self.flags[next(Self.flags.count)])
                if next(4) > 0 { arguments.append(Self.nasty[next(Self.nasty.count)]) }
            }
            if next(3) == 0 { arguments.append(String(next(30))) }
            let run = try CommandLineTests.hotstock(arguments, timeout: .seconds(30))
            statuses[run.status, default: 0] += 1
            #expect(run.exitedNormally, "seed \(firstSeed): \(arguments) was killed by signal \(run.status)")
            #expect((0...3).contains(run.status), "seed \(firstSeed): \(arguments) exited \(run.status): \(run.stderr)")
            #expect(!run.stderr.contains("Fatal error"), "seed \(firstSeed): \(arguments): \(run.stderr)")
        }
        let show = try CommandLineTests.hotstock("stock", "show", sku, "--json")
        let available = show.json["available"] as? Int ?? -1
        let held = show.json["held"] as? Int ?? -1
        let sold = show.json["sold"] as? Int ?? -1
        #expect(available >= 0 && held >= 0 && sold >= 0 && available + held + sold == show.json["total"] as? Int)
        #expect(statuses[2, default: 0] > 0)
    }
}

/// `hotstock codes load` and `stock set --kind codes`.
