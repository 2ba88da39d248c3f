import DejaCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A record made durable in the write-ahead log: its payload, and the log position just past it.
public struct DurableRecord: Sendable {
    /// Position (bytes since the log began) just past this record; the store keeps the position of
    /// the last record it applied, so that replay after a crash applies each record exactly once.
    public let end: UInt64
    public let payload: [UInt8]
}

/// What went wrong with the write-ahead log, said so that the user can act on it.
public enum WriteAheadLogError: Error, CustomStringConvertible {
    case locked(String)
    case io(String, String)
    case closed

    public var description: String {
        switch self {
        case .locked(let path): "\(path) is in use by another deja serve; one server per data directory"
        case .io(let path, let problem): "write-ahead log \(path): \(problem)"
        case .closed: "the write-ahead log is closed"
        }
    }
}

/// Append-only segments in `<data dir>/wal/`, each record `[length u32][crc32 u32][payload]`. An
/// append returns once its record is fsync'd; appends that arrive during one fsync share the next
/// (group commit), so throughput does not cost one disk flush per request.
public final class WriteAheadLog: @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`; file writes happen on `flusher` only.
    private let directory: URL
    private let segmentBytes: UInt64
    private var lockDescriptor: Int32
    private let lock = NSLock()
    private var flusher: StageWorker?
    private var waiting: [(payload: [UInt8], continuation: CheckedContinuation<UInt64, Error>)] = []
    private var closing = false
    private var segments: [UInt64]  // base positions, ascending
    private var descriptor: Int32 = -1
    private var end: UInt64
    private let onDurable: @Sendable ([DurableRecord]) -> Void
    private let systemWrite: @Sendable (Int32, UnsafeRawBufferPointer) -> Int
    /// Set when a failed append could not be undone: no append is acknowledged until it is.
    private var unrepaired = false
    static let headerBytes = 8

    /// Damaged bytes found when the log was opened, skipped by replay.
    public struct Damage: Sendable, Equatable {
        /// Runs of bytes that were not valid records, each followed by valid ones or ending a segment.
        public var regions = 0
        public var bytes = 0

        public init(regions: Int = 0, bytes: Int = 0) {
            self.regions = regions
            self.bytes = bytes
        }
    }

    /// What opening the log skipped; the server logs it and exports it as a metric.
    public let damage: Damage

    /// Opens (creating) the log in `directory`, cutting a torn last record. `onDurable` receives each
    /// group of records once fsync'd, in log order, before their appends return.
    /// `write` is the system call, replaced by tests that inject failed and short writes.
    public init(directory: URL, segmentBytes: UInt64 = 64 << 20,
                write: @escaping @Sendable (Int32, UnsafeRawBufferPointer) -> Int = { Glibc.write($0, $1.baseAddress, $1.count) },
                onDurable: @escaping @Sendable ([DurableRecord]) -> Void) throws {
        self.systemWrite = write
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.onDurable = onDurable
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lockPath = directory.appendingPathComponent("lock").path
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0 else { throw WriteAheadLogError.io(lockPath, String(cString: strerror(errno))) }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(lockDescriptor)
            throw WriteAheadLogError.locked(directory.path)
        }
        segments = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".wal") }.compactMap { UInt64($0.dropLast(4), radix: 16) }.sorted()
        end = segments.first ?? 0
        // A damaged record is skipped and the records after it kept; only the last segment may
        // end in a torn record (a crash mid-write), which is cut so that appends follow valid bytes.
        var damage = Damage()
        for (index, base) in segments.enumerated() {
            let path = Self.path(directory, base)
            let data = try Self.read(path)
            let scan = Self.scan(data)
            damage.regions += scan.damaged.count
            damage.bytes += scan.damaged.reduce(0) { $0 + $1.count }
            if scan.validEnd < data.count {
                if index == segments.count - 1 {
                    guard truncate(path, off_t(scan.validEnd)) == 0 else { throw WriteAheadLogError.io(path, String(cString: strerror(errno))) }
                } else {
                    damage.regions += 1
                    damage.bytes += data.count - scan.validEnd
                }
            }
            end = base + UInt64(scan.validEnd)
        }
        self.damage = damage
        // Past a file-size limit, a write fails with EFBIG (and is undone) instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
        let flusher = StageWorker(name: "deja-wal") { [weak self] _ in self?.flushWaiting() ?? .finished }
        self.flusher = flusher
        flusher.start()
    }

    deinit {
        flusher?.requestStop(.now)
        if descriptor >= 0 { Glibc.close(descriptor) }
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
    }

    /// Records that end after `position`, in order: what the store has not applied yet.
    public func records(after position: UInt64) throws -> [DurableRecord] {
        var records: [DurableRecord] = []
        for base in lock.withLock({ segments }) {
            let data = try Self.read(Self.path(directory, base))
            for record in Self.scan(data).records {
                let recordEnd = base + UInt64(record.upperBound)
                if recordEnd > position { records.append(DurableRecord(end: recordEnd, payload: Array(data[record.lowerBound + Self.headerBytes..<record.upperBound]))) }
            }
        }
        return records
    }

    /// Appends `payload` as one record; returns its end position once it is on disk.
    public func append(_ payload: [UInt8]) async throws -> UInt64 {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = lock.withLock {
                guard !closing else { return false }
                waiting.append((payload, continuation))
                return true
            }
            guard accepted else { return continuation.resume(throwing: WriteAheadLogError.closed) }
            flusher?.wake()
        }
    }

    /// Bytes in all segments.
    public var size: UInt64 {
        lock.withLock { end - (segments.first ?? end) }
    }

    /// Deletes the segments wholly before `position` (applied to the store).
    public func removeSegments(before position: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        // A segment ends where the next begins; the newest is still being written.
        while segments.count > 1, segments[1] <= position {
            unlink(Self.path(directory, segments.removeFirst()))
        }
    }

    /// Writes what is waiting, stops accepting appends, and lets go of the directory.
    public func close() {
        lock.withLock { closing = true }
        try? flusher?.stop(.drain)
        lock.withLock {
            if descriptor >= 0 { Glibc.close(descriptor); descriptor = -1 }
            if lockDescriptor >= 0 { Glibc.close(lockDescriptor); lockDescriptor = -1 }
        }
    }

    /// Writes the appends waiting, as one group; their callers return once it is on disk.
    private func flushWaiting() -> StageWorker.Outcome {
        let batch = lock.withLock {
            defer { waiting.removeAll() }
            return waiting
        }
        guard !batch.isEmpty else { return .idle(nil) }
        do {
            let records = try write(batch.map(\.payload))
            onDurable(records)
            for (item, record) in zip(batch, records) { item.continuation.resume(returning: record.end) }
        } catch {
            for item in batch { item.continuation.resume(throwing: error) }
        }
        return .progressed
    }

    /// Writes the payloads as records, rolling to a new segment when the current one is full, and
    /// fsyncs; runs on the flusher thread only. A failed write is undone (the segment cut back to its
    /// last whole record), so that a later record never follows partial bytes; until that succeeds,
    /// every append fails.
    private func write(_ payloads: [[UInt8]]) throws -> [DurableRecord] {
        let start = lock.withLock { end }
        if unrepaired { try cut(to: start) }
        var records: [DurableRecord] = []
        var position = start
        if descriptor < 0 || position - (segments.last ?? 0) >= segmentBytes { try startSegment(at: position) }
        let path = Self.path(directory, segments.last ?? 0)
        do {
            // Small records share one write; a large payload is written from where it lies, not copied.
            var buffer: [UInt8] = []
            for payload in payloads {
                guard payload.count <= Self.maxRecordBytes else {
                    throw WriteAheadLogError.io(path, "a record of \(payload.count) bytes is over the \(Self.maxRecordBytes)-byte limit")
                }
                var header = [UInt8](repeating: 0, count: Self.headerBytes)
                withUnsafeBytes(of: UInt32(payload.count).littleEndian) { header.replaceSubrange(0..<4, with: $0) }
                withUnsafeBytes(of: CRC32.checksum(payload).littleEndian) { header.replaceSubrange(4..<8, with: $0) }
                buffer += header
                if payload.count > Self.copiedPayloadBytes {
                    try writeAll(buffer, path)
                    buffer.removeAll(keepingCapacity: true)
                    try writeAll(payload, path)
                } else {
                    buffer += payload
                }
                position += UInt64(Self.headerBytes + payload.count)
                records.append(DurableRecord(end: position, payload: payload))
            }
            try writeAll(buffer, path)
            guard fdatasync(descriptor) == 0 else { throw WriteAheadLogError.io(path, String(cString: strerror(errno))) }
        } catch {
            unrepaired = true
            try? cut(to: start)
            throw error
        }
        lock.withLock { end = position }
        return records
    }

    /// Payloads up to this size are copied into one write with their neighbours.
    static let copiedPayloadBytes = 64 << 10

    private func writeAll(_ bytes: [UInt8], _ path: String) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { systemWrite(descriptor, UnsafeRawBufferPointer(rebasing: $0[written...])) }
            guard count > 0 else { throw WriteAheadLogError.io(path, String(cString: strerror(count < 0 ? errno : ENOSPC))) }
            written += count
        }
    }

    /// Cuts the current segment back to `position` (the end of its last whole record) and makes that durable.
    private func cut(to position: UInt64) throws {
        let base = segments.last ?? 0
        let path = Self.path(directory, base)
        guard descriptor >= 0 else { return }
        guard ftruncate(descriptor, off_t(position - base)) == 0, fdatasync(descriptor) == 0 else {
            throw WriteAheadLogError.io(path, "a failed write could not be undone (\(String(cString: strerror(errno)))); appends are refused until it can")
        }
        unrepaired = false
    }

    private func startSegment(at base: UInt64) throws {
        if descriptor >= 0 { Glibc.close(descriptor) }
        let path = Self.path(directory, base)
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteAheadLogError.io(path, String(cString: strerror(errno))) }
        // The new file's name must be durable too, or a crash could lose the whole segment.
        let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY)
        if directoryDescriptor >= 0 { fsync(directoryDescriptor); Glibc.close(directoryDescriptor) }
        lock.withLock { if segments.last != base { segments.append(base) } }
    }

    private static func path(_ directory: URL, _ base: UInt64) -> String {
        directory.appendingPathComponent(String(format: "%016llx.wal", base)).path
    }

    private static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw WriteAheadLogError.io(path, "cannot be read") }
        return [UInt8](data)
    }

    /// Largest record the log writes; a header claiming more is damage.
    static let maxRecordBytes = Int(UInt32.max)

    /// The length of the whole, checksum-valid record at `offset`, header included, or nil.
    private static func recordBytes(in data: [UInt8], at offset: Int) -> Int? {
        guard offset >= 0, offset + headerBytes <= data.count else { return nil }
        let length = data[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
        let crc = data[offset + 4..<offset + 8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        // Every record holds at least one byte: zeroed space is not a run of empty records.
        guard length > 0, length <= data.count - offset - headerBytes else { return nil }
        let payload = data[offset + headerBytes..<offset + headerBytes + length]
        guard payload.withUnsafeBytes({ CRC32.checksum($0) }) == crc else { return nil }
        return headerBytes + length
    }

    /// A segment read as records: their byte ranges, the damaged runs between them, and where the
    /// last valid record ends (what follows it holds no valid record: a torn tail).
    struct Scan {
        var records: [Range<Int>] = []
        var damaged: [Range<Int>] = []
        var validEnd = 0
    }

    /// Reads every valid record of `data`. After a damaged record, reading resumes at the next valid
    /// one: first where the damaged record's own length says it ends (a flipped payload byte), else at
    /// the first byte where a whole record with a matching checksum starts.
    static func scan(_ data: [UInt8]) -> Scan {
        var scan = Scan()
        var offset = 0
        while offset < data.count {
            if let bytes = recordBytes(in: data, at: offset) {
                scan.records.append(offset..<offset + bytes)
                offset += bytes
                scan.validEnd = offset
                continue
            }
            var next: Int?
            if offset + headerBytes <= data.count {
                let claimed = headerBytes + data[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
                if offset + claimed < data.count, recordBytes(in: data, at: offset + claimed) != nil { next = offset + claimed }
            }
            if next == nil { next = (offset + 1..<data.count).first { recordBytes(in: data, at: $0) != nil } }
            guard let resume = next else { break }
            scan.damaged.append(offset..<resume)
            offset = resume
        }
        return scan
    }
}
