import Foundation

/// Reads a file or standard input line by line in large blocks, without loading it whole.
/// Lines are split on `\n`; bytes that are not UTF-8 are replaced with U+FFFD; a byte order mark
/// opening the stream is left out, and UTF-16 (with or without one) is read as the text it is.
public struct LineReader {
    private let handle: FileHandle
    /// UTF-8 text read and not yet returned as lines, from `position` on.
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    /// Nil until the opening bytes are read.
    private var encoding: TextEncoding?
    /// UTF-16 bytes read and not yet transcoded into `buffer`.
    private var undecoded: [UInt8] = []

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
    /// Standard input, a pipe or a FIFO: read as bytes arrive (`tail -f app.log | deja ingest -`),
    /// not once a block is full.
    public let isStream: Bool
    /// Whether `nextItem` reported the input quiet and no byte came since.
    private var quiet = false
    /// A gzip file's inflater: its text is read as it is inflated.
    private var gzip: GzipInflater?

    /// The file is compressed: its lines are not text until it is decompressed.
    public struct Compressed: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let format: String
        public let tool: String
        public var description: String { "\(path) is \(format)-compressed: pipe its text in instead (\(tool) \(path) | deja ... -)" }
    }

    /// The file is binary: its bytes are no lines of text.
    public struct NotText: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let format: String
        public var description: String { "\(path) is \(format), not a text log: give text files (or pipe in the text a tool prints from it)" }
    }

    /// Opens `path`, or standard input when `path` is nil or `-`. A gzip file (a rotated
    /// `app.log.1.gz`) is read as the text it holds. A regular file that opens with another
    /// compressor's magic bytes, or is binary (`wtmp`, a journal file), is refused: read as text, its
    /// bytes would be stored as lines of garbage.
    public init(path: String?) throws {
        self.path = path ?? "-"
        if let path, path != "-" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { throw IsADirectory(path: path) }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CannotOpen(path: path)
            }
            let regular = (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
            isStream = !regular
            if regular {
                let opening = [UInt8]((try? handle.read(upToCount: 65_536)) ?? Data())
                try handle.seek(toOffset: 0)
                if opening.starts(with: Self.gzipMagic) {
                    gzip = try GzipInflater()
                } else if let (format, tool) = Self.compressors.first(where: { opening.starts(with: $0.magic) }).map({ ($0.format, $0.tool) }) {
                    throw Compressed(path: path, format: format, tool: tool)
                } else if let format = TextEncoding.binaryFormat(opening) {
                    throw NotText(path: path, format: format)
                }
            }
            self.handle = handle
        } else {
            handle = .standardInput
            var status = stat()
            isStream = fstat(STDIN_FILENO, &status) != 0 || status.st_mode & S_IFMT != S_IFREG
        }
    }

    /// gzip's magic bytes: such a file is inflated as it is read.
    private static let gzipMagic: [UInt8] = [0x1F, 0x8B]
    /// The magic bytes of the other compressors log rotation uses.
    private static let compressors: [(magic: [UInt8], format: String, tool: String)] = [
        ([0x28, 0xB5, 0x2F, 0xFD], "zstd", "zstdcat"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz", "xzcat"), ([0x42, 0x5A, 0x68], "bzip2", "bzcat"),
    ]

    /// Calls `body` with each line of `path` (standard input for nil or `-`) in order; a read that
    /// fails partway throws once the lines before the failure are handled.
    public static func forEachLine(of path: String?, _ body: (String) throws -> Void) throws {
        var reader = try LineReader(path: path)
        while let line = reader.next() { try body(line) }
        if let failure = reader.failure { throw failure }
    }

    /// Every line of `path` (standard input for nil or `-`), or the read's failure.
    public static func lines(of path: String?) throws -> [String] {
        var lines: [String] = []
        try forEachLine(of: path) { lines.append($0) }
        return lines
    }

    /// The next line, or nil at the end of the input or a failure (`failure` tells which).
    public mutating func next() -> String? {
        while true {
            switch nextItem(idleAfter: nil) {
            case .line(let line): return line
            case .end: return nil
            case .idle: continue
            }
        }
    }

    /// What reading gave: a line, the end of the input, or a stream gone quiet.
    public enum Item: Equatable {
        case line(String)
        /// A stream sent nothing for the time given: what is held may be handed over.
        case idle
        case end
    }

    /// The next line; with `idleAfter` (milliseconds), `.idle` once when a stream has sent nothing
    /// for that long since its last bytes, after which reading waits as long as it takes.
    public mutating func nextItem(idleAfter milliseconds: Int32?) -> Item {
        while true {
            if encoding != nil, let line = nextLine() { return .line(line) }
            if finished { return .end }
            if let milliseconds, isStream, !quiet {
                var descriptor = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, milliseconds) == 0 {
                    quiet = true
                    return .idle
                }
            }
            let raw = readBlock()
            quiet = false
            if raw.isEmpty { finished = true }
            // A gzip stream (`cat app.log.1.gz | deja ingest -`) is inflated as a gzip file is; one
            // compressed otherwise is no text: refused, as such a file is.
            if isStream, gzip == nil, encoding == nil, undecoded.isEmpty {
                if raw.starts(with: Self.gzipMagic) {
                    gzip = try? GzipInflater()
                } else if let compressor = Self.compressors.first(where: { raw.starts(with: $0.magic) }) {
                    failure = ReadFailure(path: path, reason: "it is \(compressor.format)-compressed: pipe it through \(compressor.tool) first")
                    finished = true
                    continue
                }
            }
            let block = gzip == nil ? raw : inflated(raw)
            switch encoding {
            case .utf8: buffer.append(contentsOf: block)
            case .utf16(let bigEndian):
                undecoded.append(contentsOf: block)
                buffer.append(contentsOf: TextEncoding.transcodeUTF16(&undecoded, bigEndian: bigEndian, final: finished))
            case nil:
                // The encoding is read from the opening bytes before any line is returned.
                undecoded.append(contentsOf: block)
                // A stream's first bytes may be all there is for a while: a line is not held back for more.
                guard undecoded.count >= TextEncoding.sniffLength || finished || isStream && undecoded.count >= 4 else { continue }
                let (detected, markLength) = TextEncoding.detect(undecoded)
                encoding = detected
                undecoded.removeFirst(markLength)
                if case .utf16(let bigEndian) = detected {
                    buffer = TextEncoding.transcodeUTF16(&undecoded, bigEndian: bigEndian, final: finished)
                } else {
                    buffer = undecoded
                    undecoded = []
                }
            }
        }
    }

    /// From a stream what has arrived (up to 64 KiB), waiting only while nothing has; from a file, 1 MiB.
    private mutating func readBlock() -> [UInt8] {
        if isStream {
            var block = [UInt8](repeating: 0, count: 1 << 16)  // a pipe holds 64 KiB
            while true {
                let count = block.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count >= 0 { return Array(block.prefix(count)) }
                if errno == EINTR { continue }
                failure = ReadFailure(path: path, reason: String(cString: strerror(errno)))
                return []
            }
        }
        // `readData(ofLength:)` traps on a read error (a directory); `read(upToCount:)` reports it.
        do {
            return [UInt8](try handle.read(upToCount: 1 << 20) ?? Data())
        } catch {
            failure = ReadFailure(path: path, reason: "\(error.localizedDescription)")
            return []
        }
    }

    /// The text gzip bytes `raw` inflate to (none at the end of the input, where a member cut short
    /// is a failure); corrupt data ends the reading with a failure.
    private mutating func inflated(_ raw: [UInt8]) -> [UInt8] {
        guard !raw.isEmpty else {
            if gzip?.memberEnded == false { failure = ReadFailure(path: path, reason: "its gzip data ends before its stream does (truncated)") }
            return []
        }
        do {
            return try gzip!.inflate(raw)
        } catch {
            failure = ReadFailure(path: path, reason: "\(error)")
            finished = true
            return []
        }
    }

    /// The next whole line in `buffer` (or its last, unterminated one once the input is finished).
    private mutating func nextLine() -> String? {
        let found: String? = buffer.withUnsafeBufferPointer { bytes in
            guard let newline = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                guard finished, position < bytes.count else { return nil }
                defer { position = bytes.count }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[position...]), as: UTF8.self)
            }
            defer { position = newline + 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<newline]), as: UTF8.self)
        }
        if found == nil {
            buffer.removeFirst(position)
            position = 0
        }
        return found
    }
}
