import Foundation

/// Buffers output and writes it to standard output in large blocks.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Each item as one line of JSON, keys sorted.
    mutating func appendJSONLines<Item: Encodable>(_ items: some Sequence<Item>) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for item in items {
            bytes.append(contentsOf: try encoder.encode(item))
            bytes.append(10)
        }
    }

    mutating func flushIfLarge() { if bytes.count > 1 << 20 { flush() } }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        FileHandle.standardOutput.write(Data(bytes))
        bytes.removeAll(keepingCapacity: true)
    }
}
