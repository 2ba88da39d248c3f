import DejaCore
import DejaIngest
@testable import DejaStore
import Foundation
import GRDB
import Testing

@Suite struct PatternStageTests {
    private func store() throws -> (SQLiteStore, DataDirectory) {
        let directory = try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("deja-patterns-\(UUID().uuidString)").path)
        return (try SQLiteStore(directory: directory), directory)
    }

    /// Stores one event of each (service, body), its new signatures given patterns by `patterns`.
    private func stored(_ bodies: [(String, String)], tenant: String = "default", at time: Int64 = 1_000, in store: SQLiteStore,
                        patterns: PatternStage? = nil) throws -> [Int64] {
        let prepared = bodies.map { service, body in
            let message = MessageNormalizer.normalize(body)
            return PreparedEvent(event: LogEvent(timestamp: time, tenant: tenant, service: service, level: .warning, body: body),
                                 body: body, message: message, signatureHash: SignatureHash.of(message))
        }
        return try store.ingest(prepared, patterns: patterns).newSignatures
    }

    @Test("signatures whose messages share a template form one pattern per tenant, across services, counting their events")
    func signaturesJoinPatterns() throws {
        let (store, _) = try store()
        let stage = try PatternStage(store: store)
        _ = try stored([("auth", "session opened for user alice by sshd from 10.0.0.1"),
                                                 ("auth", "session opened for user alice by sshd from 10.0.0.2"),
                                                 ("sso", "session opened for user bob by sshd from 10.0.0.3"), ("disk", "disk quota is full")], in: store, patterns: stage)
        _ = try stored([("auth", "session opened for user carol by sshd from 10.0.0.4")], tenant: "other", in: store, patterns: stage)
        let patterns = try store.patterns(tenant: "default", limit: 10)
        #expect(patterns.map(\.template) == ["session opened for user <*> by sshd from <*>", "disk quota is full"])
        #expect(patterns[0].count == 3 && patterns[0].services == ["auth", "sso"] && patterns[0].signatureIDs.count == 2)
        #expect(try store.patterns(tenant: "other", limit: 10).map(\.count) == [1])
        let counted = try store.patternCounts(filter: SearchFilter(), since: 0, until: 1_999, buckets: 2, limit: 5)
        #expect(counted.map(\.counts) == [[0, 3], [0, 1]])
        let signature = try #require(try store.signatures(ids: [patterns[0].signatureIDs[0]], tenant: "default").first)
        #expect(signature.pattern == "session opened for user <*> by sshd from <*>" && signature.patternID == patterns[0].id)
    }

    @Test("the miners survive a restart: a reopened stage puts new signatures in the patterns it made before")
    func minersSurviveRestart() throws {
        let (first, directory) = try store()
        let stage = try PatternStage(store: first)
        _ = try stored([("api", "cache miss for key session in region eu"), ("api", "worker 3 started")], in: first, patterns: stage)
        try stage.snapshot()
        let before = try first.patterns(tenant: "default", limit: 10)
        let reopened = try SQLiteStore(directory: directory)
        let again = try PatternStage(store: reopened)
        _ = try stored([("api", "cache miss for key cart in region eu")], in: reopened, patterns: again)
        let after = try reopened.patterns(tenant: "default", limit: 10)
        #expect(after.count == 2)
        let cache = try #require(after.first { $0.template.hasPrefix("cache miss") })
        #expect(cache.template == "cache miss for key <*> in region eu" && cache.count == 2)
        #expect(before.contains { $0.id == cache.id })
    }

    @Test("signatures stored without patterns (a store from before patterns, or a crash before the snapshot) get them at start")
    func catchUpMinesWhatIsMissing() throws {
        let (store, directory) = try store()
        _ = try stored([("api", "payment declined for order by issuer: card expired"),
                        ("api", "payment declined for order by issuer: card stolen"), ("api", "connection reset by peer")], in: store)
        _ = try stored([("web", "connection reset by peer")], tenant: "b", in: store)
        _ = try PatternStage(store: store)
        let templates = try store.patterns(tenant: "default", limit: 10).map(\.template)
        #expect(templates.count == 2 && templates.contains("connection reset by peer"))
        #expect(try store.patterns(tenant: "b", limit: 10).map(\.template) == ["connection reset by peer"])
        // Learned again from scratch, the same signatures get the same patterns.
        try store.pool.write { db in try db.execute(sql: "DELETE FROM pattern_miners; DELETE FROM patterns; UPDATE signatures SET pattern_id = NULL") }
        _ = try PatternStage(store: try SQLiteStore(directory: directory))
        #expect(try store.patterns(tenant: "default", limit: 10).map(\.template) == templates)
    }
}
