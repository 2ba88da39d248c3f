import DejaCore
import DejaSearch
import DejaStore
@testable import DejaServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Alertmanager's webhook through the real routes: recorded at once, enriched after, repeats and
/// resolution update one record, bad payloads named, unknown versions kept.
@Suite(.serialized) struct AlertRouteTests {
    static let tokens: [(token: String, tenant: String, scopes: [Scope])] = [("alertmanager-token", "shop", [.ingest, .read])]
    private let headers: HTTPFields = [.authorization: "Bearer alertmanager-token", .contentType: "application/json"]

    private func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    /// A version-4 notification of one alert.
    static func payload(status: String, startsAt: String, endsAt: String = "0001-01-01T00:00:00Z", version: String = "4") -> String {
        """
        {"version": "\(version)", "groupKey": "{}:{alertname=\\"CheckoutErrors\\"}", "truncatedAlerts": 0, "status": "\(status)", "receiver": "deja",
         "groupLabels": {"alertname": "CheckoutErrors"}, "commonLabels": {"alertname": "CheckoutErrors", "namespace": "shop"},
         "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
         "alerts": [{"status": "\(status)", "labels": {"alertname": "CheckoutErrors", "namespace": "shop", "pod": "checkout-7d9f5c-x2x9p"},
                     "annotations": {"summary": "checkout cannot get database connections"},
                     "startsAt": "\(startsAt)", "endsAt": "\(endsAt)",
                     "generatorURL": "http://prometheus:9090/graph?g0.expr=sum+by+%28code%29+%28rate%28http_requests_total%7Bjob%3D%22checkout%22%7D%5B5m%5D%29%29&g0.tab=1",
                     "fingerprint": "c4b2a9e1d0f3a7b6"}]}
        """
    }

    @Test("the cause ranks first among the service's noise; repeats and resolution update one record; bad payloads are named")
    func webhook() async throws {
        let server = try InProcessServer(tokens: Self.tokens)
        defer { server.ingest.close() }
        let enrichment = Task { try await server.alertEnrichment.run() }
        defer { enrichment.cancel() }
        let now = Date()
        let at: @Sendable (Double) -> String = { minutesAgo in RFC3339.string(Int64((now.timeIntervalSince1970 - minutesAgo * 60) * 1e9)) }
        // Noise: routine lines and a steady unrelated warning all along; the cause starts just before the alert.
        var lines: [String] = []
        for minute in stride(from: 120.0, to: 2, by: -4) {
            lines.append(#"{"service": "checkout", "level": "info", "timestamp": "\#(at(minute))", "body": "order \#(Int(minute)) placed in 84 ms"}"#)
            lines.append(#"{"service": "checkout", "level": "warning", "timestamp": "\#(at(minute))", "body": "card declined by issuer for order \#(Int(minute))"}"#)
            lines.append(#"{"service": "pricing", "level": "error", "timestamp": "\#(at(minute))", "body": "redis timeout after 200 ms"}"#)
        }
        for minute in [9.0, 7, 5, 3] {
            lines.append(#"{"service": "checkout", "level": "error", "timestamp": "\#(at(minute))", "body": "HikariPool-1 - Connection is not available, request timed out after 30000ms."}"#)
        }
        let body = lines.joined(separator: "\n") + "\n"
        let count = lines.count
        try await Application(router: server.routes.router).test(.router) { client in
            let ingested = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(ingested.status == .ok)
            try await server.waitUntilStored(count)

            let firing = Self.payload(status: "firing", startsAt: at(2))
            let answer = try await client.execute(uri: "/api/v1/alerts/alertmanager", method: .post, headers: headers, body: ByteBuffer(string: firing))
            #expect(answer.status == .ok)
            var alert: [String: Any] = [:]
            for _ in 0..<250 {
                alert = try json(try await client.execute(uri: "/api/v1/alerts/c4b2a9e1d0f3a7b6", method: .get, headers: headers).body)
                if alert["enrichment"] != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            let related = try #require(alert["related"] as? [[String: Any]])
            #expect((related.first?["message"] as? String)?.hasPrefix("HikariPool-<num> - Connection is not available") == true)
            #expect(related.first?["state"] as? String == "new" && related.first?["count"] as? Int == 4, "\(related.first ?? [:])")
            #expect((related.first?["events"] as? [[String: Any]])?.isEmpty == false)
            #expect(related.allSatisfy { $0["service"] as? String == "checkout" })
            let enrichment = try #require(alert["enrichment"] as? [String: Any])
            #expect(enrichment["service"] as? String == "checkout")  // from the pod's name
            #expect(enrichment["metrics"] as? [String] == ["http_requests_total"])
            #expect(alert["status"] as? String == "firing" && alert["endsAt"] == nil)

            // Alertmanager resends the group: one record, counted; then it resolves.
            _ = try await client.execute(uri: "/api/v1/alerts/alertmanager", method: .post, headers: headers, body: ByteBuffer(string: firing))
            let resolved = Self.payload(status: "resolved", startsAt: at(2), endsAt: at(0))
            #expect(try await client.execute(uri: "/api/v1/alerts/alertmanager", method: .post, headers: headers, body: ByteBuffer(string: resolved)).status == .ok)
            let closed = try json(try await client.execute(uri: "/api/v1/alerts/c4b2a9e1d0f3a7b6", method: .get, headers: headers).body)
            #expect(closed["status"] as? String == "resolved" && closed["notifications"] as? Int == 3 && closed["endsAt"] as? String != nil)
            let listed = try json(try await client.execute(uri: "/api/v1/alerts?status=resolved", method: .get, headers: headers).body)
            #expect((listed["alerts"] as? [[String: Any]])?.count == 1)

            let malformed = try await client.execute(uri: "/api/v1/alerts/alertmanager", method: .post, headers: headers,
                                                     body: ByteBuffer(string: #"{"version": "4", "alerts": [{"status": "firing"}]}"#))
            #expect(malformed.status == .badRequest)
            #expect(String(buffer: malformed.body).contains("alerts[0].labels"))
            let future = try await client.execute(uri: "/api/v1/alerts/alertmanager", method: .post, headers: headers,
                                                  body: ByteBuffer(string: #"{"version": "5", "payload": "reshaped"}"#))
            let kept = try json(future.body)
            #expect(future.status == .ok && kept["status"] as? String == "kept")
            #expect(try server.alerts.unknownPayloads(tenant: "shop").map(\.version) == ["5"])
            #expect(try await client.execute(uri: "/api/v1/alerts/nope", method: .get, headers: headers).status == .notFound)
        }
    }
}

@Suite struct AlertForwardFormatTests {
    private func view() throws -> AlertView {
        let notification = try AlertNotification(json: Data(AlertRouteTests.payload(status: "firing", startsAt: "2026-11-20T09:14:07Z").utf8))
        let record = AlertRecord(key: AlertKey(tenant: "t", fingerprint: "c4b2a9e1d0f3a7b6", startsAt: 0), alert: notification.alerts[0], groupKey: "",
                                 receiver: "", externalURL: "", firstReceived: 0, lastReceived: 0, notifications: 1, enrichment: nil)
        var view = AlertView(record)
        view.related = [RelatedIssue(issueID: 7, message: "HikariPool-<num> - Connection is not available", service: "checkout", services: ["checkout"],
                                     count: 4, state: .new, similarity: 0.6, score: 0.9, events: [])]
        return view
    }

    @Test("a webhook forward is Alertmanager's payload with each alert's enrichment by fingerprint; a Slack one is a readable message")
    func formats() throws {
        let payload = Data(AlertRouteTests.payload(status: "firing", startsAt: "2026-11-20T09:14:07Z").utf8)
        let item = AlertForwarder.Item(payload: payload, alerts: [try view()])
        let webhook = try #require(try JSONSerialization.jsonObject(with: AlertForwarder.body(item, format: .webhook)) as? [String: Any])
        #expect(webhook["version"] as? String == "4" && (webhook["alerts"] as? [Any])?.count == 1)
        let enriched = try #require((webhook["enrichment"] as? [String: Any])?["c4b2a9e1d0f3a7b6"] as? [String: Any])
        #expect(((enriched["related"] as? [[String: Any]])?.first)?["issueID"] as? Int == 7)
        let slack = try #require(try JSONSerialization.jsonObject(with: AlertForwarder.body(item, format: .slack)) as? [String: String])
        #expect(slack["text"] == "*[FIRING] CheckoutErrors*\ncheckout cannot get database connections\n• `HikariPool-<num> - Connection is not available`: 4 events in checkout, new")
    }
}
