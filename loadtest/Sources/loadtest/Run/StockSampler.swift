import HotStockCore
import Synchronization

/// Samples the run's SKUs (summed) every quarter second: the stock curve of the report.
final class StockSampler: Sendable {
    struct Point: Codable, Sendable {
        var t: Double
        var available: Int64
        var held: Int64
        var sold: Int64
    }

    private let points = Mutex<[Point]>([])

    var curve: [Point] { points.withLock { $0 } }

    /// Samples until the task is cancelled.
    func run(inventory: Inventory, skus: [String], recorder: Recorder) async {
        while !Task.isCancelled {
            var point = Point(t: recorder.elapsed, available: 0, held: 0, sold: 0)
            for sku in skus {
                guard let snapshot = try? await inventory.sku(sku) else { continue }
                point.available += snapshot.available
                point.held += snapshot.held
                point.sold += snapshot.sold
            }
            points.withLock { $0.append(point) }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
