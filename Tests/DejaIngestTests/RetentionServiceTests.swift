import DejaCore
import DejaEmbedding
import DejaIngest
import DejaStore
import Foundation
import Testing

/// `deja serve --retention`: a pass removes what is older than the window, and the issues forget
/// the signatures it removed; alerts last notified before it go too.
@Suite struct RetentionServiceTests {
    @Test("a pass removes old events and the signatures left without one; their issue goes, newer events stay; old alerts go")
    func passRemovesOldEventsAndTheirIssues() throws {
        let model = SentenceEmbedder.defaultModelFolder
        try #require(FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path),
                     "no model at \(model.path): run scripts/setup.sh")
        let directory = try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("deja-retention-\(UUID().uuidString)").path)
        let pipeline = try IngestPipeline(store: try SQLiteStore(directory: directory), embedder: try SentenceEmbedder(modelFolder: model),
                                          redactor: try Redactor())
        let now: Int64 = 1_796_000_000_000_000_000
        let hour: Int64 = 3_600_000_000_000
        let diskFull = "java.io.IOException: No space left on device"
        let nullPointer = "java.lang.NullPointerException: Cannot invoke \"com.shop.Cart.total()\" because \"cart\" is null"
        let pool = "HikariPool-1 - Connection is not available, request timed out after 30000ms."
        func event(_ body: String, _ id: String, age: Int64) -> LogEvent {
            LogEvent(timestamp: now - age, service: "checkout", level: .error, body: body, externalID: id)
        }
        try pipeline.ingest([event(diskFull, "disk-1", age: 2 * hour), event(diskFull, "disk-2", age: 2 * hour - 1),
                             event(nullPointer, "npe-old", age: 2 * hour), event(nullPointer, "npe-new", age: 60_000_000_000),
                             event(pool, "pool", age: 60_000_000_000)])
        #expect(pipeline.issues.statistics.failureIssues == 3)

        // Alerts: one last notified before the window, one firing still (notified again within it).
        let alerts = try AlertStore(directory: directory)
        func notification(_ fingerprint: String, startsAt: Int64) -> AlertNotification {
            AlertNotification(version: "4", status: "firing", groupKey: "{}:{}", receiver: "deja", externalURL: "http://alertmanager:9093",
                              commonAnnotations: [:],
                              alerts: [.init(status: "firing", labels: ["alertname": "DiskFull", "instance": fingerprint], annotations: [:],
                                             startsAt: startsAt, endsAt: nil, generatorURL: "", fingerprint: fingerprint)])
        }
        _ = try alerts.record(notification("old", startsAt: now - 3 * hour), tenant: "default", receivedAt: now - 3 * hour)
        _ = try alerts.record(notification("firing", startsAt: now - 3 * hour), tenant: "default", receivedAt: now - 3 * hour)
        _ = try alerts.record(notification("firing", startsAt: now - 3 * hour), tenant: "default", receivedAt: now - 60_000_000_000)

        let retention = RetentionService(store: pipeline.store, issues: pipeline.issues, alerts: alerts, window: hour, interval: .seconds(600))
        #expect(try retention.pass(now: now) == RetentionService.Removed(events: 3, signatures: 1, alerts: 1))
        #expect(try alerts.alerts(tenant: "default", status: nil, limit: 10).map(\.key.fingerprint) == ["firing"])
        #expect(pipeline.issues.statistics.failureIssues == 2)
        #expect(try pipeline.store.keywordSearch("space left on device", filter: SearchFilter(), limit: 10).isEmpty)
        let kept = try pipeline.store.events(ids: pipeline.store.keywordSearch("NullPointerException", filter: SearchFilter(), limit: 10), tenant: "default")
        #expect(kept.compactMap(\.externalID) == ["npe-new"])
        // Nothing older is left: the next pass removes nothing.
        #expect(try retention.pass(now: now) == RetentionService.Removed())
    }
}
