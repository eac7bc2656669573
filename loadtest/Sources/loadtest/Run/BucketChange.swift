import ArgumentParser
import HotStockCore

/// A change of every SKU's bucket count during a run (`run --rebucket COUNT@SECONDS`,
/// DESIGN section 12): the sale goes on while units move, and the invariant check after
/// the run covers what happened to the holds on either side of it.
struct BucketChange: Sendable {
    /// The new bucket count.
    var buckets: Int64
    /// When, in seconds after the load starts.
    var afterSeconds: Double

    /// Parses `COUNT@SECONDS`.
    init(parsing text: String) throws {
        let parts = text.split(separator: "@")
        guard parts.count == 2, let buckets = Int64(parts[0]), (1...Int64(BucketID.maxBuckets)).contains(buckets),
            let seconds = Double(parts[1]), seconds >= 0
        else {
            throw ValidationError("--rebucket takes COUNT@SECONDS, COUNT in 1...\(BucketID.maxBuckets), not \(text)")
        }
        self.buckets = buckets
        self.afterSeconds = seconds
    }

    /// Applies `changes` in order at their times to every SKU of `total` units, printing
    /// how long each took (a refusal, e.g. of a codes SKU, is printed and skipped).
    static func apply(_ changes: [BucketChange], to skus: [String], total: Int64, inventory: Inventory) async {
        let start = ContinuousClock.now
        for change in changes {
            do {
                try await Task.sleep(until: start + .seconds(change.afterSeconds))
            } catch {
                return
            }
            let began = ContinuousClock.now
            var update = SKUUpdate(total: total)
            update.buckets = change.buckets
            for sku in skus {
                do {
                    _ = try await inventory.setSKU(sku, update)
                } catch {
                    print("rebucket \(sku) to \(change.buckets) refused: \(error)")
                }
            }
            let took = ContinuousClock.now - began
            print("rebucket: \(skus.count) SKUs to \(change.buckets) buckets at \(change.afterSeconds) s, took \(took)")
        }
    }
}
