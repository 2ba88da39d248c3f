import Foundation

/// Reads a file or standard input line by line in large blocks, without loading it whole.
/// Lines are split on `\n`; bytes that are not UTF-8 are replaced with U+FFFD; a UTF-8 byte order mark
/// opening the stream is left out.
public struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var begun = false

    /// UTF-8's byte order mark.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The file does not exist or may not be read.
    public struct CannotOpen: Error, CustomStringConvertible {
        public let path: String
        public init(path: String) { self.path = path }
        public var description: String { "cannot open \(path): no such file or not readable" }
    }

    /// The path is a directory, not a file.
    public struct IsADirectory: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path) is a directory: give the files in it (\(path)/*.log)" }
    }

    /// The file could not be read to its end (an I/O error): the lines before the failure were read.
    public struct ReadFailure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "reading \(path) failed: \(reason)" }
    }

    /// Why reading stopped before the end of the input, if it did; `next()` then returned nil.
    public private(set) var failure: ReadFailure?
    private let path: String

    /// The file is compressed: its lines are not text until it is decompressed.
    public struct Compressed: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let format: String
        public let tool: String
        public var description: String { "\(path) is \(format)-compressed: pipe its text in instead (\(tool) \(path) | deja ... -)" }
    }

    /// Opens `path`, or standard input when `path` is nil or `-`. A regular file that opens with a
    /// compressor's magic bytes (a rotated `app.log.1.gz`) is refused: read as text, its bytes
    /// would be stored as lines of garbage.
    public init(path: String?) throws {
        self.path = path ?? "-"
        if let path, path != "-" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { throw IsADirectory(path: path) }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CannotOpen(path: path)
            }
            if (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular {
                let magic = [UInt8]((try? handle.read(upToCount: 6)) ?? Data())
                try handle.seek(toOffset: 0)
                if let (format, tool) = Self.compressors.first(where: { magic.starts(with: $0.magic) }).map({ ($0.format, $0.tool) }) {
                    throw Compressed(path: path, format: format, tool: tool)
                }
            }
            self.handle = handle
        } else {
            handle = .standardInput
        }
    }

    /// The magic bytes of the compressors log rotation uses.
    private static let compressors: [(magic: [UInt8], format: String, tool: String)] = [
        ([0x1F, 0x8B], "gzip", "zcat"), ([0x28, 0xB5, 0x2F, 0xFD], "zstd", "zstdcat"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz", "xzcat"), ([0x42, 0x5A, 0x68], "bzip2", "bzcat"),
    ]

    public mutating func next() -> String? {
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
            if let found {
                begun = true
                return found
            }
            buffer.removeFirst(position)
            position = 0
            // `readData(ofLength:)` traps on a read error (a directory); `read(upToCount:)` reports it.
            let block: Data
            do {
                block = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                failure = ReadFailure(path: path, reason: "\(error.localizedDescription)")
                block = Data()
            }
            if block.isEmpty { finished = true } else { buffer.append(contentsOf: block) }
            // A byte order mark opening the file (Notepad's, PowerShell's) marks its encoding; it is no text of its first line.
            if !begun, buffer.count >= 3 || finished {
                begun = true
                if buffer.starts(with: LineReader.byteOrderMark) { buffer.removeFirst(3) }
            }
        }
    }
}
