import Foundation

/// Reads a file or standard input line by line in large blocks, without loading it whole.
/// Lines are split on `\n`; bytes that are not UTF-8 are replaced with U+FFFD.
struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false

    /// Opens `path`, or standard input when `path` is nil or `-`.
    init(path: String?) throws {
        if let path, path != "-" {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CLIError("cannot open \(path): no such file or not readable")
            }
            self.handle = handle
        } else {
            handle = .standardInput
        }
    }

    mutating func next() -> String? {
        while true {
            let found: String?? = buffer.withUnsafeBufferPointer { bytes in
                guard let newline = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                    guard finished else { return nil }
                    guard position < bytes.count else { return .some(nil) }
                    defer { position = bytes.count }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[position...]), as: UTF8.self)
                }
                defer { position = newline + 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<newline]), as: UTF8.self)
            }
            if let found { return found }
            buffer.removeFirst(position)
            position = 0
            let block = handle.readData(ofLength: 1 << 20)
            if block.isEmpty { finished = true } else { buffer.append(contentsOf: block) }
        }
    }
}

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
