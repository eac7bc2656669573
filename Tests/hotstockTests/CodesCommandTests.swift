import Foundation
import Testing

@Suite("hotstock codes")
struct CodesCommandTests {
    @Test func loadingAFileReportsDuplicatesAndTheSameBatchAddsNothing() throws {
        let sku = CommandLineTests.uniqueSKU()
        let created = try CommandLineTests.hotstock("stock", "set", sku, "--kind", "codes", "--json")
        #expect(created.status == 0 && created.json["kind"] as? String == "codes", "\(created.stderr)")
        let file = FileManager.default.temporaryDirectory.appending(path: "codes-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "LIC-TEST-1\nLIC-TEST-2\r\nLIC-TEST-3\nLIC-TEST-1\n\nLIC-TEST-4\n".write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        let load = try CommandLineTests.hotstock("codes", "load", sku, file.path, "--batch", "f1", "--json")
        #expect(load.status == 0, "\(load.stderr)")
        #expect(
            load.json["added"] as? Int == 4 && load.json["duplicates"] as? Int == 1 && load.json["total"] as? Int == 4
        )
        let again = try CommandLineTests.hotstock("codes", "load", sku, file.path, "--batch", "f1", "--json")
        #expect(again.status == 0 && again.json["total"] as? Int == 4 && again.json["added"] as? Int == 4)
        let show = try CommandLineTests.hotstock("stock", "show", sku, "--json")
        #expect(show.json["total"] as? Int == 4 && show.json["available"] as? Int == 4)
        // No code in clear on either stream.
        for run in [load, again, show] { #expect(!run.stdout.contains("LIC-") && !run.stderr.contains("LIC-")) }
    }

    @Test func aBadFileOrAMissingKeyLoadsNothing() throws {
        let sku = CommandLineTests.uniqueSKU()
        _ = try CommandLineTests.hotstock("stock", "set", sku, "--kind", "codes")
        let file = FileManager.default.temporaryDirectory.appending(path: "codes-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "GOOD-1\nhas space\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try CommandLineTests.hotstock("codes", "load", sku, file.path, "--batch", "f1")
        #expect(bad.status == 2 && bad.stderr.contains("line 2") && !bad.stderr.contains("has space"))
        try "GOOD-1\n".write(to: file, atomically: true, encoding: .utf8)
        let noKey = try CommandLineTests.hotstock(
            ["codes", "load", sku, file.path, "--batch", "f1"],
            environment: ["HOTSTOCK_CODE_KEY": "k1:short"]
        )
        #expect(noKey.status == 2 && noKey.stderr.contains("HOTSTOCK_CODE_KEY") && !noKey.stderr.contains("short"))
        let counted = CommandLineTests.uniqueSKU()
        _ = try CommandLineTests.hotstock("stock", "set", counted, "--total", "3")
        let onCounted = try CommandLineTests.hotstock("codes", "load", counted, file.path, "--batch", "f1")
        #expect(onCounted.status == 3 && onCounted.stderr.contains("not_a_code_sku"))
        let show = try CommandLineTests.hotstock("stock", "show", sku, "--json")
        #expect(show.json["total"] as? Int == 0)
    }

    @Test func codesShowPrintsAConfirmedOrdersCodesTheSameEveryTime() throws {
        // An order Redis does not hold is looked up in MySQL: its schema must be there.
        let admin =
            ProcessInfo.processInfo.environment["HOTSTOCK_MYSQL_ADMIN_URL"]
            ?? "mysql://hotstock_admin:hotstock-dev@127.0.0.1:13307/hotstock"
        #expect(try CommandLineTests.hotstock("migrate", "--mysql-url", admin).status == 0)
        let sku = CommandLineTests.uniqueSKU()
        #expect(try CommandLineTests.hotstock("stock", "set", sku, "--kind", "codes").status == 0)
        let file = FileManager.default.temporaryDirectory.appending(path: "codes-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try "SHOW-1\nSHOW-2\nSHOW-3\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try CommandLineTests.hotstock("codes", "load", sku, file.path, "--batch", "b1").status == 0)
        let early = try CommandLineTests.hotstock("codes", "show", sku, "o1")
        #expect(early.status == 3 && early.stderr.contains("hold_not_found"))
        #expect(try CommandLineTests.hotstock("hold", "place", sku, "o1", "--qty", "2").status == 0)
        let unpaid = try CommandLineTests.hotstock("codes", "show", sku, "o1")
        #expect(unpaid.status == 3 && unpaid.stderr.contains("hold_not_confirmed"))
        #expect(try CommandLineTests.hotstock("hold", "confirm", sku, "o1").status == 0)
        let first = try CommandLineTests.hotstock("codes", "show", sku, "o1", "--json")
        let again = try CommandLineTests.hotstock("codes", "show", sku, "o1", "--json")
        #expect(first.status == 0 && again.status == 0, "\(first.stderr)")
        let codes = first.json["codes"] as? [String] ?? []
        #expect(codes.count == 2 && Set(codes).isSubset(of: ["SHOW-1", "SHOW-2", "SHOW-3"]))
        #expect(first.stdout == again.stdout)
        let stock = try CommandLineTests.hotstock("stock", "show", sku, "--json").json
        #expect(stock["sold"] as? Int == 2 && stock["available"] as? Int == 1 && stock["total"] as? Int == 3)
    }
}
