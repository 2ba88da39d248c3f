import DejaCore
@testable import DejaIngest
import Foundation
import Testing

@Suite struct FileSourceTests {
    private func events(in text: String, named name: String, service: String? = nil) throws -> [LogEvent] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deja-source-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var events: [LogEvent] = []
        try FileSource(paths: [path], service: service, tenant: "default", input: .lines(LineParser()), now: 0).read(cores: 1) { events += $0 }
        return events
    }

    @Test("docker compose logs: each container's lines are its service's, a trace whole however the containers' lines interleave")
    func composeLogs() throws {
        let text = """
            api-1     | 2024-03-14 09:21:07.412 ERROR 1 --- [nio-8080-exec-1] c.a.CheckoutController : checkout failed for cart 42
            worker-1  | 2024-03-14 09:21:07.450 INFO processed job 7
            api-1     | java.lang.IllegalStateException: no session
            api-1     | \tat com.acme.Checkout.pay(Checkout.java:42)
            web-1     | 172.18.0.1 - - [14/Mar/2024:09:21:08 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0"
            2024-03-14 09:21:09 INFO a line of no container

            """
        let events = try events(in: text, named: "compose.log").sorted { $0.service < $1.service }
        #expect(events.map(\.service) == ["api", "compose", "web", "worker"])
        #expect(events.map(\.level) == [.error, .info, .error, .info])
        #expect(events.map { $0.labels["container"] } == ["api-1", nil, "web-1", "worker-1"])
        #expect(events[0].body == "checkout failed for cart 42\njava.lang.IllegalStateException: no session\n\tat com.acme.Checkout.pay(Checkout.java:42)")
        #expect(events[0].timestamp == 1_710_408_067_412_000_000)
        // A service given names every event; the container is still kept.
        #expect(try self.events(in: text, named: "compose.log", service: "shop").allSatisfy { $0.service == "shop" })
    }

    @Test("kubectl logs --prefix: a pod's container names the service, the pod is kept")
    func kubectlPrefixedLogs() throws {
        let events = try events(in: """
            [pod/api-7d9f8b-x2k4q/api] 2024-03-14T09:21:07.412Z ERROR checkout failed
            [pod/api-7d9f8b-x2k4q/api] java.lang.IllegalStateException: no session
            [pod/db-0/postgres] 2024-03-14 09:21:07.500 UTC [61] FATAL:  password authentication failed for user "shop"

            """, named: "pods.log").sorted { $0.service < $1.service }
        #expect(events.map(\.service) == ["api", "postgres"])
        #expect(events.map { $0.labels["pod"] } == ["api-7d9f8b-x2k4q", "db-0"])
        #expect(events[0].body == "checkout failed\njava.lang.IllegalStateException: no session" && events[1].level == .fatal)
    }
}
