/// Redis Cluster's key → slot function: CRC16 (XMODEM) of the key's hash tag — the
/// part between the first `{` and the next `}`, when not empty — or of the whole key,
/// modulo 16,384.
public enum HashSlot {
    /// How many slots a cluster has.
    public static let count = 16_384

    /// The slot of `key`.
    public static func of(_ key: String) -> Int {
        let utf8 = key.utf8
        if let open = utf8.firstIndex(of: UInt8(ascii: "{")) {
            let afterOpen = utf8.index(after: open)
            if let close = utf8[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close > afterOpen {
                return Int(crc16(utf8[afterOpen..<close]) % UInt16(count))
            }
        }
        return Int(crc16(utf8) % UInt16(count))
    }

    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte)) & 0xFF]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
