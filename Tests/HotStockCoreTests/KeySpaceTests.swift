import HotStockCore
import Testing

/// The key layout of DESIGN section 3: every key of a SKU shares its partition's hash tag.
@Suite("Key layout")
struct KeySpaceTests {
    @Test(arguments: [1, 16, 1_000])
    func aSKUsKeysComputedOnceEqualTheOnesComputedEachTime(partitions: Int) {
        let keys = KeySpace(partitions: partitions)
        for sku in ["card-50", "a", "licence.key:EU-2026", String(repeating: "z", count: 64)] {
            let located = keys.keys(of: sku)
            let partition = keys.partition(of: sku)
            #expect(located.partition == partition && (0..<partitions).contains(partition))
            #expect(located.prefix == keys.prefix(partition: partition))
            #expect(located.skuKey == keys.skuKey(sku))
            #expect(located.holdKey(order: "o-1") == keys.holdKey(sku: sku, order: "o-1"))
            #expect(located.expiryKey == keys.expiryKey(partition: partition))
            #expect(located.eventsKey == keys.eventsKey(partition: partition))
            #expect(located.codeEventsKey == keys.codeEventsKey(partition: partition))
            let tag = located.prefix.dropFirst(3).prefix { $0 != ":" }
            #expect(tag.hasPrefix("{") && tag.hasSuffix("}"))
            for key in [located.skuKey, located.holdKey(order: "o"), located.expiryKey, located.eventsKey] {
                #expect(key.hasPrefix("hs:" + tag + ":"))
            }
        }
    }
}
