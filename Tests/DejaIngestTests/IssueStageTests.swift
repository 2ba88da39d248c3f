import DejaCore
import DejaEmbedding
import DejaIngest
import DejaStore
import Foundation
import Testing

/// The issue stage with the real model: one failure worded by six ecosystems is one issue, other
/// failures and routine lines are not, and ids survive restarts, merges and splits.
@Suite(.serialized) struct IssueStageTests {
    static let nullReference: [(service: String, body: String)] = [
        ("checkout", "java.lang.NullPointerException: Cannot invoke \"com.shop.Cart.total()\" because \"cart\" is null\n\tat com.shop.checkout.CheckoutService.price(CheckoutService.java:88)\n\tat com.shop.checkout.CheckoutController.submit(CheckoutController.java:41)"),
        ("pricing", "Traceback (most recent call last):\n  File \"/app/pricing/rules.py\", line 57, in apply\n    return cart.total * rate\nAttributeError: 'NoneType' object has no attribute 'total'"),
        ("inventory", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x4a5f2c]\n\ngoroutine 42 [running]:\nmain.(*Stock).Reserve(0x0, 0x3)\n\t/src/inventory/stock.go:112 +0x2c"),
        ("billing", "System.NullReferenceException: Object reference not set to an instance of an object.\n   at Billing.InvoiceBuilder.AddLines(Order order) in /src/Billing/InvoiceBuilder.cs:line 63"),
        ("storefront", "TypeError: Cannot read properties of undefined (reading 'total')\n    at renderCart (/srv/storefront/cart.js:19:31)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)"),
        ("accounts", "NoMethodError: undefined method `total' for nil:NilClass\n  app/models/cart.rb:22:in `checkout'\n  app/controllers/carts_controller.rb:9:in `update'"),
    ]
    static let diskFull = "java.io.IOException: No space left on device\n\tat java.io.FileOutputStream.writeBytes(Native Method)\n\tat com.shop.checkout.ReceiptArchive.write(ReceiptArchive.java:30)"
    static let poolExhausted = "HikariPool-1 - Connection is not available, request timed out after 30000ms."

    private func open(_ directory: DataDirectory) throws -> IngestPipeline {
        let model = SentenceEmbedder.defaultModelFolder
        try #require(FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path),
                     "no model at \(model.path): run scripts/setup.sh")
        return try IngestPipeline(store: try SQLiteStore(directory: directory), embedder: try SentenceEmbedder(modelFolder: model, threads: 2),
                                  redactor: try Redactor())
    }

    private func directory() throws -> DataDirectory {
        try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("deja-issues-\(UUID().uuidString)").path)
    }

    /// Stores one event per (id, service, body, level) and returns each event's issue.
    @discardableResult
    private func ingest(_ events: [(id: String, service: String, body: String, level: Severity)], into pipeline: IngestPipeline) throws -> [String: Int64] {
        try pipeline.ingest(events.enumerated().map { index, event in
            LogEvent(timestamp: 1_796_000_000_000_000_000 + Int64(index) * 1_000_000_000, service: event.service, level: event.level, body: event.body,
                     externalID: event.id)
        })
        return try issues(of: events.map(\.id), in: pipeline.store)
    }

    private func issues(of ids: [String], in store: SQLiteStore) throws -> [String: Int64] {
        var byEvent: [String: Int64] = [:]
        try store.forEachEventIssue(tenant: "default") { event, issue in if ids.contains(event) { byEvent[event] = issue } }
        return byEvent
    }

    private var corpus: [(id: String, service: String, body: String, level: Severity)] {
        Self.nullReference.map { ("null-\($0.service)", $0.service, $0.body, Severity.error) }
            + [("disk", "checkout", Self.diskFull, .error), ("pool", "checkout", Self.poolExhausted, .error),
               ("ok-1", "checkout", "order 1234 submitted in 85 ms", .info), ("ok-2", "checkout", "cache warmed with 512 entries", .info)]
    }

    @Test("the same failure in Java, Python, Go, .NET, Node and Ruby is one issue; other failures and routine lines are not in it")
    func oneFailureManyLanguages() throws {
        let issues = try ingest(corpus, into: try open(directory()))
        let nullIssue = try #require(issues["null-checkout"])
        #expect(Self.nullReference.allSatisfy { issues["null-\($0.service)"] == nullIssue })
        #expect(Set(["disk", "pool", "ok-1", "ok-2"].map { issues[$0] }).count == 4)
        #expect(!["disk", "pool", "ok-1", "ok-2"].contains { issues[$0] == nullIssue })
    }

    @Test("issue ids survive a restart: a new wording of a known failure joins its issue")
    func idsSurviveRestart() throws {
        let directory = try directory()
        let before = try ingest(corpus, into: try open(directory))
        let reopened = try open(directory)
        #expect(try issues(of: before.keys.sorted(), in: reopened.store) == before)
        let again = try ingest([("kotlin", "ledger", "java.lang.NullPointerException: Parameter specified as non-null is null: method io.shop.ledger.JournalService.post, parameter memo", .error),
                                ("disk-2", "media", "OSError: [Errno 28] No space left on device: '/var/media/cache/thumb.jpg'", .error)], into: reopened)
        #expect(again["kotlin"] == before["null-checkout"])
        #expect(again["disk-2"] == before["disk"])
    }

    @Test("a user's merge and split are kept across restarts, and clustering keeps them")
    func mergesAndSplitsAreKept() throws {
        let directory = try directory()
        let pipeline = try open(directory)
        let before = try ingest(corpus, into: pipeline)
        let (disk, pool, null) = (before["disk"]!, before["pool"]!, before["null-checkout"]!)
        #expect(try pipeline.issues.merge(tenant: "default", disk, into: pool))
        let goSignature = try #require(try pipeline.store.issue(null, tenant: "default")?.signatures.first { $0.service == "inventory" })
        let split = try #require(try pipeline.issues.split(tenant: "default", issue: null, signatures: [goSignature.id]))
        let reopened = try open(directory)
        #expect(try reopened.store.issueSurvivor(disk, tenant: "default") == pool)
        let after = try issues(of: before.keys.sorted(), in: reopened.store)
        #expect(after["disk"] == pool && after["pool"] == pool)
        #expect(after["null-inventory"] == split && after["null-checkout"] == null)
        // Another Go nil dereference: whichever issue it joins, the split pair stays apart.
        let go = try ingest([("go-2", "inventory", "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\n\ngoroutine 7 [running]:\nmain.(*Stock).Release(0x0)\n\t/src/inventory/stock.go:140 +0x1c", .error)], into: reopened)
        #expect([split, null].contains(go["go-2"]!))
        #expect(try reopened.store.issueSurvivor(split, tenant: "default") == split)
        #expect(try reopened.store.issue(null, tenant: "default")?.signatures.contains { $0.id == goSignature.id } == false)
    }
}
