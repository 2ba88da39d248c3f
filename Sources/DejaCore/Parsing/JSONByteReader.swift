/// Reads JSON of a known shape straight from bytes: strings (with every JSON escape), objects of
/// strings, and structure. Each read returns nil or false as soon as the bytes hold anything else,
/// so that a caller can fall back to a general parser, which gives the same answer or the error.
/// Several times faster than `JSONSerialization` for the shapes log shippers send.
public struct JSONByteReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var at = 0

    public init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Consumes `byte` (after any whitespace) if it comes next.
    public mutating func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    /// True when only whitespace is left.
    public mutating func atEnd() -> Bool {
        skipSpace()
        return at == bytes.count
    }

    /// A string value; nil for anything else.
    public mutating func readString() -> String? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                at += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at - 1]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return readEscaped(from: start) }
            if byte < 0x20 { return nil }
            at += 1
        }
        return nil
    }

    /// An object whose values are all strings (`{}` included).
    public mutating func readStringObject() -> [String: String]? {
        guard expect(UInt8(ascii: "{")) else { return nil }
        var object: [String: String] = [:]
        if expect(UInt8(ascii: "}")) { return object }
        repeat {
            guard let key = readString(), expect(UInt8(ascii: ":")), let value = readString() else { return nil }
            object[key] = value
        } while expect(UInt8(ascii: ","))
        return expect(UInt8(ascii: "}")) ? object : nil
    }

    private mutating func skipSpace() {
        while at < bytes.count, [32, 9, 10, 13].contains(bytes[at]) { at += 1 }
    }

    private mutating func readEscaped(from start: Int) -> String? {
        var output = Array(bytes[start..<at])
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return nil }
                let escaped = bytes[at]
                at += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
                case UInt8(ascii: "n"): output.append(10)
                case UInt8(ascii: "t"): output.append(9)
                case UInt8(ascii: "r"): output.append(13)
                case UInt8(ascii: "b"): output.append(8)
                case UInt8(ascii: "f"): output.append(12)
                case UInt8(ascii: "u"):
                    guard let scalar = readUnicodeEscape() else { return nil }
                    output.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            default:
                if byte < 0x20 { return nil }
                output.append(byte)
            }
        }
        return nil
    }

    /// After `\u`: four hex digits, or a surrogate pair written as two escapes.
    private mutating func readUnicodeEscape() -> Unicode.Scalar? {
        guard let high = readHex4() else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { return nil }
            at += 2
            guard let low = readHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func readHex4() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[at])).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }
}
