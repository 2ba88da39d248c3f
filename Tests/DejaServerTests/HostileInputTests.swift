import DejaCore
import DejaStore
@testable import DejaServer
import Foundation
import SwiftProtobuf
import Testing

/// Input that once stopped the server (an arithmetic trap) or grew it without bound: each is now a
/// 4xx naming the field or limit.
@Suite struct HostileInputTests {
    private func message(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let rejection as Rejection {
            return rejection.message
        } catch {
            return "\(error)"
        }
    }

    private func lokiProtobuf(seconds: Int64, nanos: Int32 = 0) throws -> [UInt8] {
        var entry = Logproto_EntryAdapter()
        entry.timestamp = Google_Protobuf_Timestamp(seconds: seconds, nanos: nanos)
        entry.line = "disk full"
        var stream = Logproto_StreamAdapter()
        stream.labels = #"{app="a"}"#
        stream.entries = [entry]
        var request = Logproto_PushRequest()
        request.streams = [stream]
        return try request.serializedBytes()
    }

    @Test func lokiProtobufTimestampsOutOfRangeAreRefused() throws {
        for seconds: Int64 in [10_000_000_000, -10_000_000_000, Int64.max, Int64.min, -1] {
            let refused = message { try LokiPush.fromProtobuf(try lokiProtobuf(seconds: seconds), tenant: "t", limits: IngestLimits()) }
            #expect(refused?.contains("streams[0].entries[0].timestamp") == true, "\(seconds): \(refused ?? "accepted")")
        }
        #expect(message { try LokiPush.fromProtobuf(try lokiProtobuf(seconds: 1, nanos: -1), tenant: "t", limits: IngestLimits()) } != nil)
        let events = try LokiPush.fromProtobuf(try lokiProtobuf(seconds: 1_718_000_000, nanos: 5), tenant: "t", limits: IngestLimits())
        #expect(events.map(\.timestamp) == [1_718_000_000_000_000_005])
    }

    @Test func lokiJSONTimestampsOutOfRangeAreRefused() {
        for time in ["-1", "9223372036854775807", "7258118400000000000"] {
            let body = Array(#"{"streams":[{"stream":{"app":"a"},"values":[["\#(time)","x"]]}]}"#.utf8)
            let refused = message { try LokiPush.events(body, contentType: "application/json", tenant: "t", limits: IngestLimits()) }
            #expect(refused?.contains("streams[0].values[0]: timestamp") == true, "\(time): \(refused ?? "accepted")")
        }
    }

    @Test func elasticsearchTimestampsOutOfRangeFailTheItem() throws {
        for time in ["1e19", "9e16", "1e300", "-5", "\"1e19\"", "\"2262-01-01T00:00:00Z\""] {
            let body = Array("{\"create\":{}}\n{\"message\":\"x\",\"@timestamp\":\(time)}\n".utf8)
            let items = try ElasticsearchBulk.items(body, defaultIndex: nil, tenant: "t", limits: IngestLimits(), now: 1)
            guard case .failure(let error) = items[0].outcome else { Issue.record("\(time) accepted"); continue }
            #expect(error.reason.contains("@timestamp"))
        }
        let body = Array("{\"create\":{}}\n{\"message\":\"x\",\"@timestamp\":1718000000.5}\n".utf8)
        let items = try ElasticsearchBulk.items(body, defaultIndex: nil, tenant: "t", limits: IngestLimits(), now: 1)
        #expect(try items[0].outcome.get().timestamp == 1_718_000_000_500_000_000)
    }

    @Test func queryTimesOutOfRangeAreA400NamingTheParameter() throws {
        for since in ["1e10s", "infd", "nans", "-1h", "1678-01-01T00:00:00Z", "2261-12-31T00:00:00Z", "99999999999w"] {
            let query = try SearchQuery(parameters: [("q", "x"), ("since", since)])
            let refused = message { try query.filter(tenant: "t") }
            #expect(refused?.contains("since '\(since)'") == true, "\(since): \(refused ?? "accepted")")
        }
        let query = try SearchQuery(parameters: [("q", "x"), ("since", "3000w")])
        #expect(try query.filter(tenant: "t").since == EventTime.earliest)  // before 1970: everything
        let reversed = try SearchQuery(parameters: [("q", "x"), ("since", "2026-12-07T00:00:00Z"), ("until", "2026-12-01T00:00:00Z")])
        #expect(message { try reversed.filter(tenant: "t") }?.hasSuffix("since must be before until: no event is in that window") == true)
    }

    @Test func patternBucketsOverTheWholeRangeDoNotOverflow() {
        #expect(SQLiteStore.bucketWidth(since: Int64.min, until: Int64.max, buckets: 1) == Int64.max)
        #expect(SQLiteStore.bucketWidth(since: 0, until: 100, buckets: 10) == 11)
    }

    @Test func otlpRecordsWithTimesOutOfRangeArePartialFailures() throws {
        var record = Opentelemetry_Proto_LogRecord()
        record.body.stringValue = "x"
        record.timeUnixNano = UInt64.max
        var good = record
        good.timeUnixNano = 1_718_000_000_000_000_000
        var request = Opentelemetry_Proto_ExportLogsServiceRequest()
        request.resourceLogs = [.with { $0.scopeLogs = [.with { $0.logRecords = [record, good] }] }]
        let decoded = try OTLPLogs.decode(try request.serializedBytes(), contentType: "application/x-protobuf", tenant: "t", limits: IngestLimits(), now: 1)
        #expect(decoded.rejected == 1 && decoded.events.map(\.timestamp) == [1_718_000_000_000_000_000])
    }

    @Test("a small push that would expand to a huge store (labels repeated on every line) is refused before it grows")
    func amplificationIsRefused() throws {
        var limits = IngestLimits()
        let manyLabels = (0..<65).map { "\"l\($0)\":\"v\"" }.joined(separator: ",")
        let tooMany = Array(#"{"streams":[{"stream":{\#(manyLabels)},"values":[["1","x"]]}]}"#.utf8)
        #expect(message { try LokiPush.events(tooMany, contentType: "application/json", tenant: "t", limits: limits) }?.contains("65 labels") == true)
        let longValue = Array(#"{"streams":[{"stream":{"app":"\#(String(repeating: "v", count: 2_049))"},"values":[["1","x"]]}]}"#.utf8)
        #expect(message { try LokiPush.events(longValue, contentType: "application/json", tenant: "t", limits: limits) }?.contains("2049 bytes") == true)
        // 64 labels of 2 KB on 600 lines: 80 MB as stored, from a body a few KB when gzipped.
        let wide = (0..<64).map { "\"label\($0)\":\"\(String(repeating: "v", count: 2_000))\"" }.joined(separator: ",")
        let lines = (0..<600).map { #"["\#($0)","x"]"# }.joined(separator: ",")
        let amplified = Array(#"{"streams":[{"stream":{\#(wide)},"values":[\#(lines)]}]}"#.utf8)
        #expect(message { try LokiPush.events(amplified, contentType: "application/json", tenant: "t", limits: limits) }?.contains("exceed") == true)
        limits.maxStreamsPerRequest = 1
        let twoStreams = Array(#"{"streams":[{"stream":{"a":"1"},"values":[]},{"stream":{"a":"2"},"values":[]}]}"#.utf8)
        #expect(message { try LokiPush.events(twoStreams, contentType: "application/json", tenant: "t", limits: limits) }?.contains("2 streams") == true)
    }
}
