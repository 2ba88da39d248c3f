import DejaCore
import DejaEmbedding
import DejaIngest
import DejaSearch
import DejaStore
import Foundation
import Testing

@Suite struct SearchEngineTests {
    private func pipeline() throws -> (IngestPipeline, SearchEngine) {
        let model = SentenceEmbedder.defaultModelFolder
        try #require(FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path),
                     "no model at \(model.path): run scripts/setup.sh")
        let directory = try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("deja-search-\(UUID().uuidString)").path)
        let store = try SQLiteStore(directory: directory)
        let embedder = try SentenceEmbedder(modelFolder: model, threads: 2)
        return (try IngestPipeline(store: store, embedder: embedder, redactor: try Redactor()),
                SearchEngine(store: store, embedder: embedder, redactor: try Redactor()))
    }

    private func event(_ body: String, service: String, id: String, level: Severity = .error) -> LogEvent {
        LogEvent(timestamp: 1_717_000_000_000_000_000, service: service, level: level, body: body, externalID: id)
    }

    @Test("one failure worded three ways is found from any of them, exact ids by keyword")
    func meaningAndKeywords() throws {
        let (ingest, search) = try pipeline()
        try ingest.ingest([
            event("java.lang.NullPointerException: Cannot invoke \"Cart.total()\" because \"cart\" is null", service: "checkout", id: "java"),
            event("AttributeError: 'NoneType' object has no attribute 'total'", service: "pricing", id: "python"),
            event("disk /dev/sda1 is 95% full", service: "node", id: "disk"),
            event("GET /api/orders 200 12ms", service: "gateway", id: "ok", level: .info),
            event("payment declined for order ord-77f3a2 by issuer", service: "payments", id: "order"),
        ])
        let groups = try search.search("System.NullReferenceException: Object reference not set to an instance of an object",
                                       filter: SearchFilter(), limit: 3).groups
        #expect(Set(groups.prefix(2).flatMap(\.events).compactMap(\.externalID)) == ["java", "python"])
        let byID = try search.search("ord-77f3a2", filter: SearchFilter(), limit: 3).groups
        #expect(byID.first?.events.first?.externalID == "order")
        #expect(byID.first?.keywordRank == 1)
        let filtered = try search.search("null reference", filter: SearchFilter(services: ["pricing"]), limit: 3).groups
        #expect(filtered.allSatisfy { $0.signature.service == "pricing" })
    }

    @Test("every event holding the query's identifier ranks first, even in a long query about something else")
    func identifiersFirst() throws {
        let (ingest, search) = try pipeline()
        try ingest.ingest([
            event("payment declined for order 4471 by issuer", service: "payments", id: "declined"),
            event("shipping label printed for order 4471", service: "shipping", id: "label", level: .info),
            event("order 44712 charged", service: "payments", id: "other-order", level: .info),
            event("NullPointerException: Cannot invoke \"Cart.total()\" because \"cart\" is null", service: "checkout", id: "npe"),
            event("AttributeError: 'NoneType' object has no attribute 'total'", service: "pricing", id: "none"),
        ])
        let groups = try search.search("checkout crashed with a null pointer exception while handling order 4471, cart was null",
                                       filter: SearchFilter(), limit: 4).groups
        #expect(Set(groups.prefix(2).compactMap { $0.events.first?.externalID }) == ["declined", "label"])
        #expect(groups.prefix(2).map(\.identifierMatches) == [1, 1])
        #expect(groups.dropFirst(2).first?.events.first?.externalID == "npe")
        #expect(!groups.flatMap(\.events).prefix(3).contains { $0.externalID == "other-order" })
    }

    @Test("among results alike in meaning a failure ranks before a routine line, unless the query is itself a routine line")
    func failuresBeforeRoutineLines() throws {
        let (ingest, search) = try pipeline()
        try ingest.ingest([
            event("connection to database established after 3 retries", service: "orders", id: "established", level: .info),
            event("connection to database failed after 3 retries", service: "orders", id: "failed"),
            event("GET /api/orders 200 12ms", service: "gateway", id: "ok", level: .info),
        ])
        let described = try search.search("connection to the database after retries", filter: SearchFilter(), limit: 2).groups
        #expect(described.compactMap { $0.events.first?.externalID } == ["failed", "established"])
        let pasted = try search.search("2024-06-01T12:00:00Z INFO connection to database established after 5 retries",
                                       filter: SearchFilter(), limit: 2).groups
        #expect(pasted.compactMap { $0.events.first?.externalID } == ["established", "failed"])
    }

    @Test("a pasted line finds lines like its message; a thread named in its header is not looked up")
    func pastedLineIsSearchedByItsMessage() throws {
        let (ingest, search) = try pipeline()
        try ingest.ingest([
            event("Connection refused to inventory:8080", service: "checkout", id: "refused"),
            event("nightly export finished on pool-3-thread-12", service: "exports", id: "thread", level: .info),
            event("disk /dev/sda1 is 95% full", service: "node", id: "disk"),
        ])
        let groups = try search.search("2024-06-03 11:02:17,412 ERROR [pool-3-thread-12] c.a.b.OrderService - Connection refused to inventory:8080",
                                       filter: SearchFilter(), limit: 3).groups
        #expect(groups.first?.events.first?.externalID == "refused")
        #expect(groups.first?.identifierMatches == 1)
        #expect(groups.allSatisfy { $0.events.first?.externalID != "thread" || $0.identifierMatches == nil })
    }

    @Test("signatures that differ only in values do not fill the page, unless the query is a line of their shape")
    func oneShapeDoesNotFillThePage() throws {
        let (ingest, search) = try pipeline()
        let plugins = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
        try ingest.ingest(plugins.map { event("failed to load plugin /opt/plugins/\($0)/lib\($0).so: invalid ELF header", service: "agent", id: $0) } + [
            event("bash: line 1: helm: command not found", service: "deployer", id: "helm"),
            event("disk /dev/sda1 is 95% full", service: "node", id: "disk"),
            event("GET /api/orders 200 12ms", service: "gateway", id: "ok", level: .info),
        ])
        let described = try search.search("a program could not be started or loaded", filter: SearchFilter(), limit: 4).groups
        let firstTwo = described.prefix(2).compactMap { $0.events.first?.externalID }
        #expect(firstTwo.contains("helm") && firstTwo.filter(plugins.contains).count == 1)
        let pasted = try search.search("2024-06-01T12:00:00Z ERROR failed to load plugin /opt/plugins/omega/libomega.so: invalid ELF header",
                                       filter: SearchFilter(), limit: 6).groups
        #expect(Set(pasted.compactMap { $0.events.first?.externalID }) == Set(plugins))
    }

    @Test("a search for failures widens through failure issues, not through a routine issue's many lines")
    func routineIssuesDoNotWidenAFailureSearch() throws {
        let (ingest, search) = try pipeline()
        let packages = ["openssl", "libxml", "zlib", "curl", "python", "glibc", "bash", "systemd", "nginx", "perl",
                        "ruby", "tzdata", "sudo", "vim", "gzip", "tar", "git", "make", "gcc", "wget"]
        try ingest.ingest(packages.map { event("package manager upgraded \($0) from the stable channel", service: "updater", id: $0, level: .info) } + [
            event("application failed to start after the library upgrade: ImportError: cannot import name 'escape' from 'jinja2'", service: "web", id: "import"),
        ])
        // The twenty lines are one routine issue, each nearer the question than the failure is.
        let groups = try search.search("the app broke after packages were upgraded", filter: SearchFilter(), limit: 3).groups
        #expect(groups.first?.events.first?.externalID == "import")
    }

    @Test("a line pasted without its header has the level of the stored lines of its pattern")
    func pastedBodyTakesItsPatternsLevel() throws {
        let (ingest, search) = try pipeline()
        try ingest.ingest([
            event("12 correctable memory errors corrected on bank 3", service: "bmc", id: "bank3", level: .info),
            event("12 correctable memory errors corrected on bank 5", service: "bmc", id: "bank5", level: .info),
            event("uncorrectable memory error on bank 2, machine check raised", service: "kernel", id: "mce"),
        ])
        // Its words read as a failure; the stored lines of its pattern say it is routine.
        let groups = try search.search("7 correctable memory errors corrected on bank 1", filter: SearchFilter(), limit: 2).groups
        #expect(groups.first.map { Set($0.events.compactMap(\.externalID)) } == ["bank3", "bank5"])
    }

    @Test("each distinct message is embedded once; repeats only count")
    func signaturesAreEmbeddedOnce() throws {
        let (ingest, _) = try pipeline()
        let first = try ingest.ingest((0..<50).map { event("timeout after \($0) ms calling inventory", service: "cart", id: "t\($0)") })
        #expect(first.events == 50 && first.newSignatures.count == 1)
        let again = try ingest.ingest([event("timeout after 99 ms calling inventory", service: "cart", id: "t99")])
        #expect(again.newSignatures.isEmpty)
        #expect(try ingest.embedMissing() == 0)
    }
}
