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
                     attributes: ["trace_id": "4bf9"], externalID: "a1"),
            LogEvent(timestamp: -5, service: "", body: ""),
        ]
        let bytes = EventBatchCodec.encode(events)
        #expect(bytes.withUnsafeBytes(EventBatchCodec.decode) == events)
        #expect(Array(bytes.dropLast()).withUnsafeBytes(EventBatchCodec.decode) == nil)
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
