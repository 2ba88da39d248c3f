/// Snappy's block format (what Loki's protobuf push is compressed with), decompression only.
/// Format: https://github.com/google/snappy/blob/main/format_description.txt
enum Snappy {
    enum Failure: Error, CustomStringConvertible {
        case corrupt(String)
        case tooLarge(Int, limit: Int)

        var description: String {
            switch self {
            case .corrupt(let why): "snappy data is corrupt: \(why)"
            case .tooLarge(let size, let limit): "snappy data decompresses to \(size) bytes, over the \(limit)-byte limit"
            }
        }
    }

    /// The decompressed bytes; refuses before allocating when the declared size is over `limit`.
    static func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        var at = 0
        var length = 0
        var shift = 0
        while true {
            guard at < input.count, shift <= 28 else { throw Failure.corrupt("bad length header") }
            let byte = input[at]
            at += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard length <= limit else { throw Failure.tooLarge(length, limit: limit) }
        var output: [UInt8] = []
        output.reserveCapacity(length)
        func little(_ count: Int) throws -> Int {
            guard at + count <= input.count else { throw Failure.corrupt("truncated") }
            var value = 0
            for index in 0..<count { value |= Int(input[at + index]) << (8 * index) }
            at += count
            return value
        }
        while at < input.count {
            let tag = input[at]
            at += 1
            var copyLength = 0
            var offset = 0
            switch tag & 3 {
            case 0:
                var literal = Int(tag >> 2)
                if literal >= 60 { literal = try little(literal - 59) }
                literal += 1
                guard at + literal <= input.count, output.count + literal <= length else { throw Failure.corrupt("literal overruns") }
                output.append(contentsOf: input[at..<at + literal])
                at += literal
                continue
            case 1:
                copyLength = 4 + Int((tag >> 2) & 7)
                offset = Int(tag >> 5) << 8 | (try little(1))
            case 2:
                copyLength = 1 + Int(tag >> 2)
                offset = try little(2)
            default:
                copyLength = 1 + Int(tag >> 2)
                offset = try little(4)
            }
            guard offset > 0, offset <= output.count, output.count + copyLength <= length else { throw Failure.corrupt("copy out of range") }
            // Copies may overlap what they produce (a run), so byte by byte.
            let start = output.count - offset
            for index in 0..<copyLength { output.append(output[start + index]) }
        }
        guard output.count == length else { throw Failure.corrupt("\(output.count) bytes where \(length) were declared") }
        return output
    }
}
