@testable import DejaCore
import Foundation
import Testing

@Suite struct AlertNotificationTests {
    @Test("a version-4 payload is read: times, the zero endsAt, labels, and its text for search")
    func readsVersion4() throws {
        let body = """
            {"version":"4","groupKey":"{}:{alertname=\\"KubePodCrashLooping\\"}","status":"firing","receiver":"deja","externalURL":"http://am:9093",
             "groupLabels":{},"commonLabels":{},"commonAnnotations":{"summary":"s"},"truncatedAlerts":0,"routeLabels":{"x":"y"},
             "alerts":[{"status":"firing","labels":{"alertname":"KubePodCrashLooping","pod":"ledger-5d8"},"annotations":{"summary":"Pod is crash looping.","description":"ledger restarted 5 times"},
                        "startsAt":"2026-11-20T09:14:07.5Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"ab12"}]}
            """
        let notification = try AlertNotification(json: Data(body.utf8))
        let alert = try #require(notification.alerts.first)
        #expect(notification.version == "4" && notification.groupKey.contains("KubePodCrashLooping"))
        #expect(alert.startsAt == 1_795_166_047_500_000_000 && alert.endsAt == nil && !alert.isResolved)
        #expect(alert.text == "Kube Pod Crash Looping. Pod is crash looping. ledger restarted 5 times")
    }

    @Test("what is missing or wrong is named")
    func namesProblems() {
        func problem(_ body: String) -> String? {
            do { _ = try AlertNotification(json: Data(body.utf8)); return nil } catch { return error.description }
        }
        #expect(problem("[1, 2]") == "the body is not a JSON object (an Alertmanager webhook payload)")
        #expect(problem(#"{"version": "4"}"#) == "\"alerts\" is missing or not a list")
        #expect(problem(#"{"alerts": [{"status": "burning"}]}"#) == "alerts[0].status must be \"firing\" or \"resolved\"")
        #expect(problem(#"{"alerts": [{"status": "firing", "labels": {"a": 1}}]}"#) == "alerts[0].labels must be an object of strings")
        #expect(problem(#"{"alerts": [{"status": "firing", "labels": {}, "fingerprint": "f", "startsAt": "soon"}]}"#)
                == "alerts[0].startsAt is not an RFC 3339 time")
    }

    @Test("metric names come from the generator URL's PromQL, without functions, labels, durations or grouping labels")
    func metricNames() {
        #expect(PromQLNames.metrics(in: #"sum by (code) (rate(http_requests_total{code=~"5..", job="api"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05"#)
                == ["http_requests_total"])
        #expect(PromQLNames.metrics(in: "node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1 and on (instance) up == 1")
                == ["node_filesystem_avail_bytes", "node_filesystem_size_bytes", "up"])
        #expect(PromQLNames.metrics(in: "vector(1)") == [])
    }
}
