/// The Redis key layout of DESIGN section 3.
///
/// A SKU lives in partition `crc32(sku) mod partitions`; every key of that SKU and the
/// partition's shared expiry index and outbox carry the partition's hash tag (`{07}`),
/// so each script touches one slot and runs unchanged on Redis Cluster.
///
/// A `namespace` puts a whole data set under `hs:<namespace>:{p}:` so that several
/// share one Redis without meeting: what separate databases (`SELECT`) do on a single
/// Redis, and a cluster has only database 0. The tests use it; a deployment has none.
public struct KeySpace: Sendable, Hashable {
    /// How many partitions the data set has; fixed when the data set is created.
    public let partitions: Int
    /// The data set's namespace, if any (`[a-z0-9-]`, 1 to 16 characters).
    public let namespace: String?
    private let root: String

    /// Makes a key space of `partitions` partitions (1...10,000), in `namespace`.
    public init(partitions: Int = 16, namespace: String? = nil) {
        precondition((1...10_000).contains(partitions), "partitions must be in 1...10000")
        if let namespace {
            precondition(
                (1...16).contains(namespace.count)
                    && namespace.utf8.allSatisfy {
                        (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D
                    },
                "a namespace is 1 to 16 of a-z, 0-9 and -"
            )
        }
        self.partitions = partitions
        self.namespace = namespace
        self.root = namespace.map { "hs:\($0):" } ?? "hs:"
    }

    /// The partition a SKU record belongs to: `crc32(sku) mod partitions` for a SKU, and
    /// for its bucket `b` (the record `<sku>#<b>`, DESIGN section 12) the `b`-th partition
    /// after the SKU's, so a SKU's buckets lie in different partitions (as many as there
    /// are partitions).
    public func partition(of sku: String) -> Int {
        guard let bucket = BucketID(sku) else { return Int(CRC32.checksum(sku) % UInt32(partitions)) }
        return (Int(CRC32.checksum(bucket.sku) % UInt32(partitions)) + bucket.index) % partitions
    }

    /// The key prefix of a partition, hash tag included, e.g. `hs:{07}:`.
    public func prefix(partition: Int) -> String {
        let digits = String(partition)
        let width = max(2, String(partitions - 1).count)
        return root + "{\(String(repeating: "0", count: width - digits.count))\(digits)}:"
    }

    /// The key prefix of the SKU's partition.
    public func prefix(of sku: String) -> String {
        prefix(partition: partition(of: sku))
    }

    /// `hs:{p}:sku:<sku>`: the SKU's counters and config.
    public func skuKey(_ sku: String) -> String { prefix(of: sku) + "sku:" + sku }

    /// `hs:{p}:hold:<sku>/<order>`: one hold.
    public func holdKey(sku: String, order: String) -> String {
        prefix(of: sku) + "hold:" + sku + "/" + order
    }

    /// `hs:{p}:expiry`: the partition's expiry index.
    public func expiryKey(partition: Int) -> String { prefix(partition: partition) + "expiry" }

    /// `hs:{p}:events`: the partition's outbox stream.
    public func eventsKey(partition: Int) -> String { prefix(partition: partition) + "events" }

    /// `hs:{p}:code-events`: the partition's code outbox: the sealed codes of loads,
    /// assignments and deliveries, in entries of at most
    /// ``InventoryLimits/codesPerOutboxEntry`` codes.
    public func codeEventsKey(partition: Int) -> String { prefix(partition: partition) + "code-events" }

    /// Both outbox streams of a partition: the state events, then the code events.
    public func outboxKeys(partition: Int) -> [String] {
        [eventsKey(partition: partition), codeEventsKey(partition: partition)]
    }

    /// `hs:{p}:restock`: the partition's shard channel (in the partition's slot); the
    /// engine's functions `SPUBLISH` a SKU's id on it whenever units may have become
    /// available again (a release, an expiry, a SKU change, codes loaded), for the
    /// servers' sold-out gates.
    public func restockChannel(partition: Int) -> String { prefix(partition: partition) + "restock" }

    /// `hs:{p}:pool:<sku>`: a codes SKU's pool of sealed codes not yet assigned.
    public func poolKey(_ sku: String) -> String { prefix(of: sku) + "pool:" + sku }

    /// `hs:{p}:fps:<sku>`: the fingerprints of every code a codes SKU was ever loaded with.
    public func fingerprintsKey(_ sku: String) -> String { prefix(of: sku) + "fps:" + sku }

    /// `hs:{p}:warm:pool:<sku>` and `hs:{p}:warm:fps:<sku>`: a codes SKU's pool and
    /// fingerprints staged by `warm` before they replace the live ones.
    public func warmStagingKeys(_ sku: String) -> (pool: String, fingerprints: String) {
        (prefix(of: sku) + "warm:pool:" + sku, prefix(of: sku) + "warm:fps:" + sku)
    }

    /// `hs:{p}:transfers`: the partition's transfers in flight out of its buckets
    /// (field = transfer id, value = `FROM TO UNITS CREATED_MS`), each cleared once its
    /// units were credited.
    public func transfersKey(partition: Int) -> String { prefix(partition: partition) + "transfers" }

    /// `hs:{p}:settled`: the transfer ids credited (or voided) to the partition's buckets
    /// in the last day, scored by when: what makes a credit happen once.
    public func settledTransfersKey(partition: Int) -> String { prefix(partition: partition) + "settled" }

    /// `hs:{p}:codeskus`: the ids of the partition's codes SKUs.
    public func codeSKUsKey(partition: Int) -> String { prefix(partition: partition) + "codeskus" }

    /// `hs:{p}:undelivered`: confirmed orders of codes SKUs whose codes were never
    /// fetched, scored by their confirm time.
    public func undeliveredKey(partition: Int) -> String { prefix(partition: partition) + "undelivered" }

    /// `hs:{p}:claim:<sku>/<order>`: the buyer an order of a SKU that routes holds by
    /// buyer is bound to (DESIGN section 12), in a partition chosen by the order (one of
    /// the 64 after the SKU's), so the claims of a hot SKU spread like its buckets.
    public func claimKey(sku: String, order: String) -> String {
        let partition = (partition(of: sku) + Int(CRC32.checksum(order) % UInt32(BucketID.maxBuckets))) % partitions
        return prefix(partition: partition) + "claim:" + sku + "/" + order
    }

    /// `hs:{p}:order:<order>`: the log of an order of several SKUs (DESIGN section 14), in
    /// the partition its id hashes to.
    public func orderKey(_ order: String) -> String { prefix(of: order) + "order:" + order }

    /// `hs:{p}:orders`: the partition's orders in a transient state or held, scored by
    /// when recovery may take them over (a held order: its expiry).
    public func openOrdersKey(partition: Int) -> String { prefix(partition: partition) + "orders" }

    /// `hs:{p}:homes:<sku>`: for a SKU with a per-buyer limit whose bucket count changed,
    /// the bucket record each buyer's units are counted in (field = buyer), in a
    /// partition chosen by the buyer (one of the 64 after the SKU's).
    public func homesKey(sku: String, buyer: String) -> String {
        let partition = (partition(of: sku) + Int(CRC32.checksum(buyer) % UInt32(BucketID.maxBuckets))) % partitions
        return prefix(partition: partition) + "homes:" + sku
    }

    /// `hs:{p}:buyers:<sku>`: units held and sold by each buyer of one SKU, field = buyer.
    public func buyersKey(_ sku: String) -> String { prefix(of: sku) + "buyers:" + sku }

    /// The `SCAN` pattern of the per-buyer keys of data sets made before the buyers
    /// hashes (`hs:{p}:buyer:<sku>/<buyer>`), which ``Inventory/prepare()`` folds into them.
    var legacyBuyerKeyPattern: String { root + "{*}:buyer:*" }

    /// `hs:layout`: the key layout the data set is in (``currentLayout`` once every
    /// legacy key was folded), so the fold runs once per data set, not at every start.
    var layoutKey: String { root + "layout" }

    /// The layout of this version: buyers hashes (2; 1 had a key per buyer).
    static let currentLayout = "2"

    /// The `SCAN` pattern of every SKU record, all partitions at once.
    var skuKeyPattern: String { root + "{*}:sku:*" }

    /// The last full reconcile's result (`hotstock reconcile`), which every server
    /// exposes as metrics: a hash in partition 0.
    public var reconcileKey: String { prefix(partition: 0) + "reconcile" }

    var orderKeyPattern: String { root + "{*}:order:*" }

    /// The order id of an order record's key of this key space, or nil for another key.
    func orderID(ofKey key: String) -> String? {
        guard let (_, rest) = split(key, kind: "order") else { return nil }
        let id = String(rest)
        guard Identifier.isValid(id), orderKey(id) == key else { return nil }
        return id
    }

    /// The SKU id of a SKU record's key of this key space, or nil for another key.
    func skuID(ofKey key: String) -> String? {
        guard let (_, rest) = split(key, kind: "sku") else { return nil }
        let id = String(rest)
        guard Identifier.isValid(id), skuKey(id) == key else { return nil }
        return id
    }

    /// A key of this key space of the form `<root>{p}:<kind>:<rest>`, as its prefix
    /// through the hash tag and the part after the kind; nil for any other key.
    private func split(_ key: String, kind: String) -> (prefix: Substring, rest: Substring)? {
        guard key.hasPrefix(root), let close = key.firstIndex(of: "}") else { return nil }
        let after = key[key.index(after: close)...]
        let marker = ":" + kind + ":"
        guard after.hasPrefix(marker) else { return nil }
        return (key[...close], after.dropFirst(marker.count))
    }

    /// The buyers hash a legacy per-buyer key folds into, and the buyer it counts; nil
    /// for a key of another form.
    func buyersKey(ofLegacyKey key: String) -> (key: String, buyer: String)? {
        guard let (prefix, rest) = split(key, kind: "buyer") else { return nil }
        let ids = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard ids.count == 2, Identifier.isValid(String(ids[0])), Identifier.isValid(String(ids[1])) else {
            return nil
        }
        return (prefix + ":buyers:" + ids[0], String(ids[1]))
    }

    /// The keys of one SKU, its partition computed once (a hold's call needs four keys
    /// and the prefix: one CRC32 instead of five).
    public func keys(of sku: String) -> SKUKeys {
        let partition = partition(of: sku)
        return SKUKeys(sku: sku, partition: partition, prefix: prefix(partition: partition))
    }
}

/// The keys of one SKU and of its partition, as ``KeySpace`` lays them out.
public struct SKUKeys: Sendable, Hashable {
    /// The SKU id.
    public let sku: String
    /// The SKU's partition.
    public let partition: Int
    /// The partition's key prefix, hash tag included.
    public let prefix: String

    /// `hs:{p}:sku:<sku>`.
    public var skuKey: String { prefix + "sku:" + sku }
    /// `hs:{p}:hold:<sku>/<order>`.
    public func holdKey(order: String) -> String { prefix + "hold:" + sku + "/" + order }
    /// `hs:{p}:expiry`.
    public var expiryKey: String { prefix + "expiry" }
    /// `hs:{p}:events`.
    public var eventsKey: String { prefix + "events" }
    /// `hs:{p}:code-events`.
    public var codeEventsKey: String { prefix + "code-events" }
    /// `hs:{p}:buyers:<sku>`.
    public var buyersKey: String { prefix + "buyers:" + sku }
    /// `hs:{p}:pool:<sku>`.
    public var poolKey: String { prefix + "pool:" + sku }
    /// `hs:{p}:fps:<sku>`.
    public var fingerprintsKey: String { prefix + "fps:" + sku }
    /// `hs:{p}:batch:<sku>/<batch>`: what loading one batch of codes answered.
    public func batchKey(_ batch: String) -> String { prefix + "batch:" + sku + "/" + batch }
    /// `hs:{p}:codeskus`.
    public var codeSKUsKey: String { prefix + "codeskus" }
    /// `hs:{p}:undelivered`.
    public var undeliveredKey: String { prefix + "undelivered" }
}
