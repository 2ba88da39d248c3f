import DejaCore
@testable import DejaServer
import DejaStore
import Foundation
import SwiftProtobuf
import Testing

/// Every decoder of outside input, fed generated hostile input: a decoder may refuse (throw or
/// answer nil), never trap, hang or grow past the limits. CI runs a slice of each
/// (`DEJA_FUZZ_INPUTS`, 20,000 by default); `scripts/fuzz.sh` runs millions in a release build.
/// Inputs that once crashed are kept in `Fuzz/regressions/<decoder>-*` and replayed first.
@Suite(.serialized) struct DecoderFuzzTests {
    /// One decoder: its name, valid seed inputs, and how an input is decoded.
    struct Decoder: CustomTestStringConvertible, Sendable {
        let name: String
        let seeds: [String]
        let decode: @Sendable ([UInt8]) -> Void
        var testDescription: String { name }
    }

    static let limits = IngestLimits()

    static func lokiProtobufSeed() -> String {
        var entry = Logproto_EntryAdapter()
        entry.timestamp = Google_Protobuf_Timestamp(seconds: 1_718_000_000, nanos: 5)
        entry.line = "payment timeout"
        entry.structuredMetadata = [.with { $0.name = "trace_id"; $0.value = "4bf9" }]
        var request = Logproto_PushRequest()
        request.streams = [.with { $0.labels = #"{app="checkout", namespace="shop"}"#; $0.entries = [entry, entry] }]
        return String(decoding: try! request.serializedBytes() as [UInt8], as: UTF8.self)
    }

    static func otlpSeed() -> [UInt8] {
        var record = Opentelemetry_Proto_LogRecord()
        record.body.stringValue = "disk full"
        record.timeUnixNano = 1_718_000_000_000_000_000
        record.severityNumber = 17
        record.attributes = [.with { $0.key = "k"; $0.value.intValue = 7 }]
        var request = Opentelemetry_Proto_ExportLogsServiceRequest()
        request.resourceLogs = [.with {
            $0.resource.attributes = [.with { $0.key = "service.name"; $0.value.stringValue = "api" }]
            $0.scopeLogs = [.with { $0.logRecords = [record] }]
        }]
        return try! request.serializedBytes()
    }

    static let decoders: [Decoder] = [
        Decoder(name: "loki-json", seeds: [
            #"{"streams":[{"stream":{"app":"a","level":"warn"},"values":[["1718000000123456789","slow",{"trace_id":"1"}],["2","x"]]}]}"#,
            #"{"streams":[{"stream":{"app":"a","shard":7},"values":[["1","x"]]}]}"#,
        ]) { _ = try? LokiPush.events($0, contentType: "application/json", tenant: "t", limits: limits) },
        Decoder(name: "loki-protobuf", seeds: [lokiProtobufSeed()]) { _ = try? LokiPush.fromProtobuf($0, tenant: "t", limits: limits) },
        Decoder(name: "snappy", seeds: [String(decoding: [12, 0x08, 97, 98, 99, 0x15, 3] as [UInt8], as: UTF8.self), "\u{5}\u{10}hello"]) {
            _ = try? Snappy.decompress($0, limit: 1 << 20)
        },
        Decoder(name: "elasticsearch-bulk", seeds: [
            "{\"create\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"message\":\"x\",\"@timestamp\":\"2024-03-14T09:21:07Z\",\"kubernetes\":{\"pod\":\"p\"}}\n",
            "{\"index\":{}}\n{\"log\":\"y\",\"timestamp\":1718000000.5,\"tags\":[\"a\",1]}\n{\"delete\":{\"_id\":\"2\"}}\n",
        ]) { _ = try? ElasticsearchBulk.items($0, defaultIndex: "deja", tenant: "t", limits: limits, now: 1) },
        Decoder(name: "otlp-protobuf", seeds: [String(decoding: otlpSeed(), as: UTF8.self)]) {
            _ = try? OTLPLogs.decode($0, contentType: "application/x-protobuf", tenant: "t", limits: limits, now: 1)
        },
        Decoder(name: "otlp-json", seeds: [
            #"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1718000000000000000","severityNumber":17,"body":{"stringValue":"x"},"traceId":"5b8efff798038103d269b633813fc60c"}]}]}]}"#,
        ]) { _ = try? OTLPLogs.decode($0, contentType: "application/json", tenant: "t", limits: limits, now: 1) },
        Decoder(name: "ndjson", seeds: [
            #"{"id":"a","service":"api","level":"error","timestamp":"2024-03-14T09:21:07.412+02:00","body":"x","labels":{"pod":"p"}}"# + "\n{\"body\":\"y\"}\n",
        ]) { _ = try? IngestAPI.ndjson($0, tenant: "t", limits: limits) },
        Decoder(name: "label-selector", seeds: [#"{app="checkout", msg="say \"hi\"\n", e="\u00e9"}"#]) {
            _ = try? LabelSelector.parse(String(decoding: $0, as: UTF8.self))
        },
        Decoder(name: "times", seeds: ["2024-03-14T09:21:07.412Z", "2024/03/14 09:21:07,412-0130", "1h", "90s", "1718000000.25",
                                       "[Thu Mar 14 09:21:07 2024] [warn] x", "240314 092107 1 INFO a: b", "03-14 09:21:07.1 1 2 E t: m",
                                       "- 1710408067 2024.03.14 n1 2024-03-14-09.21.07.000001 n1 RAS FATAL x", "14/Mar/2024:09:21:07 +0100"]) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = TimestampParser.parseISO(text)
            _ = Double(text).flatMap(TimestampParser.parseEpoch)
            _ = DurationParser.instant(text)
            var lines = StreamLines(receivedAt: 1_796_385_600_000_000_000)
            _ = lines.event(body: text, collectorTime: nil, labels: [:], tenant: "t")
        },
        Decoder(name: "query-parameters", seeds: ["q=disk full&service=api,db&level=error&since=1h&until=2024-03-14T09:21:07Z&limit=10&label.pod=p"]) { bytes in
            let pairs = String(decoding: bytes, as: UTF8.self).split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return (String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
            }
            guard let query = try? SearchQuery(parameters: pairs) else { return }
            _ = try? query.filter(tenant: "t")
            _ = try? query.checkedLimit()
        },
        Decoder(name: "wal-record", seeds: [String(decoding: EventBatchCodec.encode([
            LogEvent(timestamp: 1, tenant: "t", service: "s", level: .error, labels: ["a": "b"], body: "x", attributes: ["c": "d"], externalID: "e"),
        ]), as: UTF8.self)]) { bytes in _ = bytes.withUnsafeBytes(EventBatchCodec.decode) },
    ]

    static var inputs: Int { ProcessInfo.processInfo.environment["DEJA_FUZZ_INPUTS"].flatMap(Int.init) ?? 20_000 }
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("regressions")

    @Test("decoders refuse hostile input without trapping", arguments: decoders)
    func survives(_ decoder: Decoder) throws {
        let crashFile = FileManager.default.temporaryDirectory.appendingPathComponent("deja-fuzz-crash-\(decoder.name)")
        CrashKeeper.install(path: crashFile.path)
        let kept = (try? FileManager.default.contentsOfDirectory(atPath: Self.regressions.path)) ?? []
        for name in kept.sorted() where name.hasPrefix(decoder.name + "-") {
            let input = try [UInt8](Data(contentsOf: Self.regressions.appendingPathComponent(name)))
            CrashKeeper.decoding(input)
            decoder.decode(input)
        }
        var mutator = Mutator(seeds: decoder.seeds.map { Array($0.utf8) }, seed: FNV1a.hash(decoder.name.utf8))
        let started = Date()
        for _ in 0..<Self.inputs {
            let input = mutator.next()
            CrashKeeper.decoding(input)
            decoder.decode(input)
        }
        print("fuzz \(decoder.name): \(Self.inputs) inputs in \(String(format: "%.1f", Date().timeIntervalSince(started))) s, no crash")
    }
}
