/// What the model reads of a text: its words, without the values between them, and identifiers
/// written in CamelCase spaced into their words.
///
/// The model's word pieces were learned on prose. A trace id, an address or a timestamp is cut
/// into fragments (`##7f`, `##3a`) that mean nothing, yet count in the average the sentence vector
/// is, and pull every line that holds values toward every other; values are what keyword search
/// and identifier lookup are for. `InconsistentMigrationHistory` is cut into fragments too
/// (`##gration`, `##his`), while `Inconsistent Migration History` is three words the model knows;
/// snake_case needs nothing, since `_` already separates words.
enum ModelWords {
    /// `text` with every value `MessageNormalizer` masks left out, and a space before each word a
    /// CamelCase run starts: a capital after a lower-case letter, or the last capital of an
    /// acronym when a lower-case letter follows it (`HTTPSConnectionPool` → `HTTPS Connection Pool`).
    /// A text of values alone is read as it is: left out, they would leave nothing to tell it apart.
    static func of(_ text: String) -> String {
        var kept = MessageNormalizer.replacingPlaceholders(in: MessageNormalizer.maskWords(text), with: [])
        let words = kept.withUTF8 { bytes -> String in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 8)
            for (index, byte) in bytes.enumerated() {
                if byte == 32, out.isEmpty || out.last == 32 || out.last == 10 { continue }  // the space a value leaves
                if isUpper(byte), index > 0 {
                    let previous = bytes[index - 1]
                    let next = index + 1 < bytes.count ? bytes[index + 1] : 0
                    if isLower(previous) || (isUpper(previous) && isLower(next)) { out.append(32) }
                }
                out.append(byte)
            }
            while out.last == 32 { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
        return words.utf8.contains(where: { ($0 | 0x20) &- 97 < 26 || $0 >= 0x80 }) ? words : text  // a letter, in any script
    }

    private static func isUpper(_ byte: UInt8) -> Bool { byte &- 65 < 26 }
    private static func isLower(_ byte: UInt8) -> Bool { byte &- 97 < 26 }
}
