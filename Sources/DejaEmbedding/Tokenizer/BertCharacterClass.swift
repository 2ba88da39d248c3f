/// How the BERT normalizer and pre-tokenizer treat one Unicode scalar.
enum BertCharacterClass: UInt8, Sendable {
    case plain
    /// Becomes a word boundary.
    case whitespace
    /// Dropped: control, format and private-use scalars, and nonspacing marks after NFD.
    case vanish
    /// Split off as a word of its own.
    case punct
    /// CJK ideograph: surrounded by spaces.
    case cjk

    private static let asciiTable: [BertCharacterClass] = (0..<128).map { lookUp(UInt32($0)) }

    /// The class of `scalar`, from the table measured on the reference tokenizer.
    @inline(__always)
    static func of(_ scalar: Unicode.Scalar) -> BertCharacterClass {
        let value = scalar.value
        return value < 128 ? asciiTable[Int(value)] : lookUp(value)
    }

    private static func lookUp(_ value: UInt32) -> BertCharacterClass {
        // Binary search for the last range starting at or before `value`.
        var low = 0
        var high = rangeStarts.count
        while low < high {
            let mid = (low + high) / 2
            if rangeStarts[mid] <= value { low = mid + 1 } else { high = mid }
        }
        let index = low - 1
        guard index >= 0, value <= rangeEnds[index] else { return .plain }
        return rangeClasses[index]
    }
}
