import HotStockCore
import Metrics
import Synchronization

/// `serve`'s memory of which SKUs are sold out (DESIGN section 13): after a flash sale
/// sells out nearly every request is too late, and the gate answers those itself —
/// `409 sold_out`, the very refusal the engine gave — without a Redis call.
///
/// A SKU's flag goes up when the engine refuses a hold `sold_out`, and comes down when
/// units may be back: a restock message (``RestockListener``), an operation of this
/// server that returns units, or by itself after ``lapse``, so a lost message costs at
/// most that long of false `sold_out`. A refusal the engine decided before a restock
/// it raced with never raises a flag after that restock dropped it: each request holds
/// a ``Ticket`` of the SKU's drops and raises only if there were none since.
///
/// The gate answers only requests the engine would refuse for stock: a `qty` within the
/// SKU's `max_qty`, a buyer where the SKU needs one, a `ttl_ms` in range, and more units
/// than were left. One trade-off is inherent: a repeat of a request that did get a hold
/// is answered `sold_out` while the flag is up (the engine would answer the hold again);
/// `GET` the hold to tell, or run with the gate off where that matters.
public final class SoldOutGate: Sendable {
    /// How long a flag stays up without news.
    public let lapse: Duration
    /// Most SKUs the gate remembers; beyond, idle entries are forgotten.
    static let maxEntries = 100_000

    private struct Entry {
        var drops: UInt64 = 0
        var raisedAt: ContinuousClock.Instant?
        var refusal: InventoryError?
        var snapshot: SoldOutSnapshot?
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [String: Entry] = [:]
    }

    /// What the gate knew of a SKU when a request went on to the engine.
    public struct Ticket: Sendable, Hashable {
        fileprivate var generation: UInt64
        fileprivate var drops: UInt64
    }

    /// The gate's answer to a hold request.
    public enum Decision: Sendable {
        /// The SKU is known sold out for this request: answer this refusal.
        case refuse(InventoryError)
        /// Ask the engine; hand its refusal back with ``learn(sku:refusal:ticket:now:)``.
        case pass(Ticket)
    }

    private let state = Mutex(State())
    private let answers = Counter(label: "hotstock_sold_out_gate_answers_total")

    /// Makes a gate whose flags lapse after `lapse`.
    public init(lapse: Duration = .seconds(1)) {
        self.lapse = lapse
    }

    /// Decides a hold request of `qty` units of `sku`.
    public func admit(
        sku: String,
        qty: Int64,
        hasBuyer: Bool,
        ttlMs: Int64?,
        now: ContinuousClock.Instant = .now
    ) -> Decision {
        let decision: Decision = state.withLock { state in
            let entry = state.entries[sku]
            if let entry, let raisedAt = entry.raisedAt, let refusal = entry.refusal, let snapshot = entry.snapshot,
                now - raisedAt < lapse, snapshot.refusesForStock(qty: qty, hasBuyer: hasBuyer, ttlMs: ttlMs)
            {
                return .refuse(refusal)
            }
            return .pass(Ticket(generation: state.generation, drops: entry?.drops ?? 0))
        }
        if case .refuse = decision { answers.increment() }
        return decision
    }

    /// Raises the SKU's flag when `refusal` is the engine's `sold_out` of a hold and no
    /// restock came since the request's `ticket` was taken.
    public func learn(sku: String, refusal: InventoryError, ticket: Ticket, now: ContinuousClock.Instant = .now) {
        guard refusal.code == .soldOut, let snapshot = refusal.soldOut else { return }
        var answer = refusal
        answer.soldOut = nil
        state.withLock { state in
            guard state.generation == ticket.generation, (state.entries[sku]?.drops ?? 0) == ticket.drops else {
                return
            }
            makeRoom(for: sku, in: &state, now: now)
            state.entries[sku, default: Entry()].raisedAt = now
            state.entries[sku]?.refusal = answer
            state.entries[sku]?.snapshot = snapshot
        }
    }

    /// Drops the SKU's flag: units may be back. A restock message gives the SKU's
    /// `version` after its change; one no newer than the state the live flag was learned
    /// from (a message that arrived late) drops nothing.
    public func drop(sku: String, version: Int64? = nil) {
        state.withLock { state in
            if let version, let entry = state.entries[sku], entry.raisedAt != nil,
                let learned = entry.snapshot?.version, learned >= version
            {
                return
            }
            makeRoom(for: sku, in: &state, now: .now)
            state.entries[sku, default: Entry()].drops &+= 1
            state.entries[sku]?.raisedAt = nil
        }
    }

    /// Drops every flag (restock messages may have been missed).
    public func dropAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.generation &+= 1
        }
    }

    /// Before a new SKU's entry when the gate remembers ``maxEntries``: forgets entries
    /// with no live flag; a new generation voids tickets that counted their drops.
    private func makeRoom(for sku: String, in state: inout State, now: ContinuousClock.Instant) {
        guard state.entries[sku] == nil, state.entries.count >= Self.maxEntries else { return }
        state.entries = state.entries.filter { _, entry in entry.raisedAt.map { now - $0 < lapse } ?? false }
        state.generation &+= 1
    }
}
