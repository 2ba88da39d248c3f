import DejaCore
@testable import DejaStore
import Foundation
import Testing

@Suite struct WriteAheadLogTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("deja-wal-\(UUID().uuidString)")
    }

    private final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var records: [DurableRecord] = []
        func add(_ more: [DurableRecord]) { lock.withLock { records += more } }
    }

    @Test func eventBatchesSurviveTheRoundTrip() throws {
        let events = [
            LogEvent(timestamp: 1_700_000_000_123_456_789, tenant: "t1", service: "checkout", level: .error,
                     labels: ["pod": "checkout-7d9f", "namespace": "shop"], body: "payment timeout\n\tat Foo.bar(Foo.java:12) é 日本",
                     attributes: ["trace_id": "4bf9"], externalID: "a1", lineTimestamp: 1_699_999_999_000_000_000),
            LogEvent(timestamp: -5, service: "", body: ""),
        ]
        let bytes = EventBatchCodec.encode(events)
        #expect(bytes.withUnsafeBytes(EventBatchCodec.decode) == events)
        #expect(Array(bytes.dropLast()).withUnsafeBytes(EventBatchCodec.decode) == nil)
    }

    @Test("records written before the line's own time was kept (version 1) are still read")
    func versionOneRecordsAreRead() {
        // version 1, one event: tenant "t", service "api", level error (6), time 300 (varint AC 02),
        // no id, no labels, no attributes, body "boom".
        let record: [UInt8] = [1, 1, 1, 0x74, 3, 0x61, 0x70, 0x69, 6, 0xAC, 0x02, 0, 0, 0, 4, 0x62, 0x6F, 0x6F, 0x6D]
        #expect(record.withUnsafeBytes(EventBatchCodec.decode) == [LogEvent(timestamp: 300, tenant: "t", service: "api", level: .error, body: "boom")])
        #expect(([UInt8(3)] + record.dropFirst()).withUnsafeBytes(EventBatchCodec.decode) == nil)  // an unknown version
    }

    @Test("appends are durable in order, and a reopened log gives back what the store has not applied")
    func replayAfterReopen() async throws {
        let directory = temporaryDirectory()
        let seen = Collected()
        var ends: [UInt64] = []
        do {
            let wal = try WriteAheadLog(directory: directory, segmentBytes: 64) { seen.add($0) }
            for index in 0..<5 { ends.append(try await wal.append(Array("record \(index)".utf8))) }
            wal.close()
        }
        #expect(seen.records.map(\.end) == ends)
        #expect(ends == ends.sorted())
        // Small segments: the log rolled over; segments before an applied position go.
        let wal = try WriteAheadLog(directory: directory, segmentBytes: 64) { _ in }
        #expect(try wal.records(after: 0).map { String(decoding: $0.payload, as: UTF8.self) } == (0..<5).map { "record \($0)" })
        #expect(try wal.records(after: ends[2]).map(\.end) == [ends[3], ends[4]])
        let before = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".wal") }.count
        wal.removeSegments(before: ends[3])  // the first segment holds records 0 to 3
        let after = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".wal") }.count
        #expect(after == before - 1)
        #expect(try wal.records(after: ends[3]).map(\.end) == [ends[4]])
        wal.close()
    }

    @Test("a torn last record (a crash mid-write) is cut off; the records before it stay")
    func tornTailIsCut() async throws {
        let directory = temporaryDirectory()
        do {
            let wal = try WriteAheadLog(directory: directory) { _ in }
            _ = try await wal.append(Array("whole".utf8))
            wal.close()
        }
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".wal") })
        let handle = try FileHandle(forWritingTo: directory.appendingPathComponent(segment))
        handle.seekToEndOfFile()
        handle.write(Data([42, 0, 0, 0, 1, 2, 3]))  // a header promising 42 bytes, and no more
        try handle.close()
        let wal = try WriteAheadLog(directory: directory) { _ in }
        #expect(try wal.records(after: 0).map { String(decoding: $0.payload, as: UTF8.self) } == ["whole"])
        _ = try await wal.append(Array("next".utf8))
        #expect(try wal.records(after: 0).map { String(decoding: $0.payload, as: UTF8.self) } == ["whole", "next"])
        wal.close()
    }

    @Test func oneServerPerDirectory() throws {
        let directory = temporaryDirectory()
        let first = try WriteAheadLog(directory: directory) { _ in }
        #expect(throws: WriteAheadLogError.self) { try WriteAheadLog(directory: directory) { _ in } }
        first.close()
    }
}

@Suite struct WriteAheadLogFaultTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("deja-wal-\(UUID().uuidString)")
    }

    private func texts(_ records: [DurableRecord]) -> [String] { records.map { String(decoding: $0.payload, as: UTF8.self) } }

    private func segment(_ directory: URL) throws -> URL {
        directory.appendingPathComponent(try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".wal") }))
    }

    /// Ten records "record 0" … "record 9" in one segment, and their start offsets.
    private func tenRecords(_ directory: URL) async throws -> [Int] {
        let wal = try WriteAheadLog(directory: directory) { _ in }
        var starts: [Int] = []
        var position: UInt64 = 0
        for index in 0..<10 {
            starts.append(Int(position))
            position = try await wal.append(Array("record \(index) with some payload".utf8))
        }
        wal.close()
        return starts
    }

    private func damage(_ directory: URL, at offset: Int) throws {
        var bytes = try [UInt8](Data(contentsOf: try segment(directory)))
        bytes[offset] ^= 0x5A
        try Data(bytes).write(to: try segment(directory))
    }

    @Test("a flipped payload byte loses that record only; every later record is replayed and the damage is counted")
    func damagedPayloadIsSkipped() async throws {
        let directory = temporaryDirectory()
        let starts = try await tenRecords(directory)
        try damage(directory, at: starts[3] + 12)
        let wal = try WriteAheadLog(directory: directory) { _ in }
        #expect(texts(try wal.records(after: 0)) == (0..<10).filter { $0 != 3 }.map { "record \($0) with some payload" })
        #expect(wal.damage == WriteAheadLog.Damage(regions: 1, bytes: starts[4] - starts[3]))
        // Appends go on after the last valid record, and the damaged one stays skipped.
        _ = try await wal.append(Array("after".utf8))
        #expect(texts(try wal.records(after: 0)).suffix(2) == ["record 9 with some payload", "after"])
        wal.close()
    }

    @Test("a flipped length byte: replay finds the next record by its checksum")
    func damagedLengthResynchronizes() async throws {
        let directory = temporaryDirectory()
        let starts = try await tenRecords(directory)
        try damage(directory, at: starts[3] + 1)
        let wal = try WriteAheadLog(directory: directory) { _ in }
        #expect(texts(try wal.records(after: 0)) == (0..<10).filter { $0 != 3 }.map { "record \($0) with some payload" })
        #expect(wal.damage.regions == 1)
        wal.close()
    }

    @Test("zeroed space after the last record is a torn tail, cut, not records")
    func zeroedTailIsCut() async throws {
        let directory = temporaryDirectory()
        _ = try await tenRecords(directory)
        let handle = try FileHandle(forWritingTo: try segment(directory))
        handle.seekToEndOfFile()
        handle.write(Data(count: 4096))
        try handle.close()
        let wal = try WriteAheadLog(directory: directory) { _ in }
        #expect(try wal.records(after: 0).count == 10)
        #expect(wal.damage == WriteAheadLog.Damage())
        wal.close()
    }

    /// Writes as the system would on a disk that fills up once: the `failing`-th call writes half and
    /// the call after it fails with ENOSPC; every other call writes everything.
    private final class FillingDisk: @unchecked Sendable {
        let lock = NSLock()
        var calls = 0
        let failing: Int
        init(failing: Int) { self.failing = failing }

        func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
            let call = lock.withLock { calls += 1; return calls }
            if call == failing { return Glibc.write(descriptor, bytes.baseAddress, bytes.count / 2) }
            if call == failing + 1 { errno = ENOSPC; return -1 }
            return Glibc.write(descriptor, bytes.baseAddress, bytes.count)
        }
    }

    @Test("a write that fails part-way is undone: later appends are acknowledged after valid bytes and all survive a reopen")
    func failedAppendIsUndone() async throws {
        let directory = temporaryDirectory()
        let disk = FillingDisk(failing: 2)
        do {
            let wal = try WriteAheadLog(directory: directory, write: { disk.write($0, $1) }) { _ in }
            _ = try await wal.append(Array("first".utf8))
            await #expect(throws: WriteAheadLogError.self) { try await wal.append(Array("lost, and never acknowledged".utf8)) }
            for index in 0..<50 { _ = try await wal.append(Array("acknowledged \(index)".utf8)) }
            wal.close()
        }
        let wal = try WriteAheadLog(directory: directory) { _ in }
        #expect(texts(try wal.records(after: 0)) == ["first"] + (0..<50).map { "acknowledged \($0)" })
        #expect(wal.damage == WriteAheadLog.Damage())
        wal.close()
    }
}
