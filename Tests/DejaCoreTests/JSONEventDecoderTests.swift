import Foundation
import Testing
@testable import DejaCore

@Suite struct JSONEventDecoderTests {
    let decoder = JSONEventDecoder(tenant: "t1", defaultService: "fallback", defaultTimestamp: 7)

    @Test func readsEveryFieldOfTheCommonShape() throws {
        let event = try decoder.decode("""
            {"id": "e1", "service": "api", "level": "warn", "timestamp": "2026-11-20T00:00:01.5Z",
             "body": "disk almost full", "labels": {"pod": "api-7", "namespace": "prod"}}
            """.replacingOccurrences(of: "\n", with: ""), number: 1)
        #expect(event == LogEvent(timestamp: 1_795_132_801_500_000_000, tenant: "t1", service: "api", level: .warning,
                                  labels: ["pod": "api-7", "namespace": "prod"], body: "disk almost full", externalID: "e1"))
    }

    @Test func defaultsFillWhatIsMissingAndTheLevelIsInferredFromTheBody() throws {
        let event = try decoder.decode(#"{"body": "ERROR connection refused"}"#, number: 1)
        #expect(event.service == "fallback" && event.timestamp == 7 && event.level == .error && event.externalID == nil)
    }

    @Test func escapesDecodeAsJSONSerializationDecodesThem() throws {
        let bodies = ["line one\nline two\tend", "quote \" backslash \\ slash /", "caf\u{e9} \u{1F600} \u{7}", "€ and 日本"]
        for body in bodies {
            let line = String(decoding: try JSONSerialization.data(withJSONObject: ["body": body]), as: UTF8.self)
            #expect(try decoder.decode(line, number: 1).body == body)
        }
        #expect(try decoder.decode(#"{"body": "\ud83d\ude00 \u00e9\u0041"}"#, number: 1).body == "\u{1F600} \u{e9}A")
    }

    @Test func otherValueTypesTakeTheGeneralPathWithTheSameMeaning() throws {
        let event = try decoder.decode(#"{"id": 42, "body": "x", "labels": {"shard": 3, "ok": true, "gone": null}, "extra": [1, {"a": 2}]}"#, number: 1)
        #expect(event.externalID == "42")
        #expect(event.labels == ["shard": "3", "ok": "1", "gone": nil].compactMapValues { $0 })
    }

    @Test func badLinesNameTheirLineAndProblem() {
        let cases = [
            ("not json", "line 3: not a JSON object"),
            (#"["body"]"#, "line 3: not a JSON object"),
            (#"{"message": "x"}"#, "line 3: no string field \"body\" (its \"message\" is not read: an event's text goes in \"body\"; a logger's own JSON lines are read as they are by plain ingest, without --jsonl, or by the Loki and Elasticsearch receivers)"),
            (#"{"text": 5, "service": "x"}"#, "line 3: no string field \"body\""),
            (#"{"body": 5}"#, "line 3: no string field \"body\""),
            (#"{"body": "x", "timestamp": "yesterday"}"#, "line 3: timestamp 'yesterday' is not RFC 3339"),
            (#"{"body": "x", "timestamp": 1700000000}"#, "line 3: timestamp 1700000000 is not an RFC 3339 string"),
            (#"{"body": "x"} trailing"#, "line 3: not a JSON object"),
        ]
        for (line, message) in cases {
            #expect(throws: (any Error).self) { try decoder.decode(line, number: 3) }
            do { _ = try decoder.decode(line, number: 3) } catch { #expect("\(error)" == message) }
        }
    }
}
