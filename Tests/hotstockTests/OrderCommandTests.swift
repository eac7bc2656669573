import Foundation
import Testing

/// `hotstock order place|confirm|release|show` (DESIGN section 14): the order routes'
/// operations from the command line, `--json` printing the HTTP bodies.
@Suite("hotstock order")
struct OrderCommandTests {
    @Test func anOrderIsPlacedShownConfirmedAndRefusedByHand() async throws {
        let a = CommandLineTests.uniqueSKU()
        let b = CommandLineTests.uniqueSKU()
        for sku in [a, b] { #expect(try CommandLineTests.hotstock("stock", "set", sku, "--total", "3").status == 0) }
        let order = CommandLineTests.uniqueSKU()
        let placed = try CommandLineTests.hotstock("order", "place", order, "--line", "\(a):2", "--line", b, "--json")
        #expect(placed.status == 0 && placed.stdout.contains(#""state":"held""#), "\(placed.stderr) \(placed.stdout)")
        let again = try CommandLineTests.hotstock("order", "place", order, "--line", "\(a):2", "--line", b, "--json")
        #expect(again.stdout == placed.stdout)
        let changed = try CommandLineTests.hotstock("order", "place", order, "--line", "\(a):1", "--line", b)
        #expect(changed.status == 3 && changed.stderr.contains("idempotency_conflict"))
        let shown = try CommandLineTests.hotstock("order", "show", order)
        #expect(shown.status == 0 && shown.stdout.contains("lines: \(a) x2 held, \(b) x1 held"))
        let paid = try CommandLineTests.hotstock("order", "confirm", order, "--json")
        #expect(paid.status == 0 && paid.stdout.contains(#""state":"confirmed""#))
        let cancel = try CommandLineTests.hotstock("order", "release", order)
        #expect(cancel.status == 3 && cancel.stderr.contains("hold_confirmed"))

        // A line short of stock: the refusal names it, nothing stays held.
        let short = try CommandLineTests.hotstock(
            "order",
            "place",
            CommandLineTests.uniqueSKU(),
            "--line",
            "\(a):1",
            "--line",
            "\(b):5",
            "--json"
        )
        #expect(short.status == 3 && short.stdout.contains(#""sku":"\#(b)""#) && short.stdout.contains("sold_out"))
        let stock = try CommandLineTests.hotstock("stock", "show", a, "--json")
        #expect(stock.stdout.contains(#""held":0"#) && stock.stdout.contains(#""sold":2"#))
        #expect(try CommandLineTests.hotstock("order", "place", order, "--line", ":2").status == 2)
        #expect(try CommandLineTests.hotstock("order", "place", order).status == 2)
        let missing = try CommandLineTests.hotstock("order", "show", CommandLineTests.uniqueSKU())
        #expect(missing.status == 3 && missing.stderr.contains("order_not_found"))
    }
}
