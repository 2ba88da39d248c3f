import DejaCore
@testable import DejaStore
import Foundation
import Testing

/// The outbox ChromaDB is fed from: what is pending, what publishing clears, what brings a
/// signature back, and how Deja's filters and names read in Chroma's terms.
@Suite struct VectorIndexOutboxTests {
    private func store() throws -> SQLiteStore {
        try SQLiteStore(directory: try DataDirectory(path: FileManager.default.temporaryDirectory
            .appendingPathComponent("deja-outbox-\(UUID().uuidString)").path))
    }

    private func prepared(_ body: String, service: String = "api", at time: Int64) -> PreparedEvent {
        PreparedEvent(event: LogEvent(timestamp: time, tenant: "default", service: service, level: .error, body: body),
                      body: body, message: body, signatureHash: String(UInt64(bitPattern: Int64(body.hashValue)), radix: 16))
    }

    private func embed(_ store: SQLiteStore, _ ids: [Int64]) throws {
        try store.upsert(ids.map { VectorRecord(signatureID: $0, tenant: "default", service: "api", level: .error, vector: [1, 0]) }, model: "m")
    }

    @Test func signaturesArePendingUntilPublishedAndAgainWhenTheirCountsChange() throws {
        let store = try store()
        let ids = try store.ingest([prepared("disk full", at: 1_000_000_000), prepared("disk full", at: 2_000_000_000),
                                    prepared("link down", at: 3_000_000_000)]).newSignatures
        #expect(try store.pendingIndexEntries(model: "m", limit: 10).isEmpty, "a signature without a vector waits for one")
        try embed(store, ids)
        let pending = try store.pendingIndexEntries(model: "m", limit: 10)
        #expect(pending.map(\.signature.count) == [2, 1])
        #expect(pending[0].example == "disk full" && pending[0].vector == [1, 0] && pending[0].key == "api/" + pending[0].hash)
        try store.markIndexed(pending)
        #expect(try store.pendingIndexCount(model: "m") == 0)
        _ = try store.ingest([prepared("link down", at: 4_000_000_000)])
        let again = try store.pendingIndexEntries(model: "m", limit: 10)
        #expect(again.map(\.signature.id) == [ids[1]] && again[0].signature.count == 2 && again[0].signature.lastSeen == 4_000_000_000)
        try store.resetIndexed(tenant: "default")
        #expect(try store.pendingIndexCount(model: "m") == 2)
    }

    @Test func retentionQueuesPublishedSignaturesForRemoval() throws {
        let store = try store()
        let ids = try store.ingest([prepared("old failure", at: 100), prepared("new failure", at: 10_000), prepared("new failure", at: 50)]).newSignatures
        try embed(store, ids)
        try store.markIndexed(try store.pendingIndexEntries(model: "m", limit: 10))
        _ = try store.removeEvents(olderThan: 5_000, tenant: "default")
        let removals = try store.pendingIndexRemovals(limit: 10)
        #expect(removals.map(\.key) == [IndexKey.of(service: "api", hash: String(UInt64(bitPattern: Int64("old failure".hashValue)), radix: 16))])
        // The survivor lost an event: its record is published again with the new count.
        #expect(try store.pendingIndexEntries(model: "m", limit: 10).map(\.signature.count) == [1])
        try store.clearIndexRemovals(removals)
        #expect(try store.pendingIndexRemovals(limit: 10).isEmpty)
    }

    @Test("a replica's retention in cluster mode removes no record of the cluster's index")
    func retentionOfAReplicaLeavesTheSharedIndexAlone() throws {
        let store = try store()
        let ids = try store.ingest([prepared("old failure", at: 100), prepared("new failure", at: 10_000), prepared("new failure", at: 50)]).newSignatures
        try embed(store, ids)
        try store.markIndexed(try store.pendingIndexEntries(model: "m", limit: 10))
        #expect(try store.removeEvents(olderThan: 5_000, tenant: "default", sharedIndex: true) == (2, 1))
        #expect(try store.pendingIndexRemovals(limit: 10).isEmpty)
        // The survivor's new count goes as an update of its record, as after new events.
        #expect(try store.pendingIndexEntries(model: "m", limit: 10).map(\.signature.id) == [ids[1]])
    }

    @Test func indexKeysMapBackToLocalSignatures() throws {
        let store = try store()
        let id = try store.ingest([prepared("queue stalled", service: "jobs/worker", at: 1)]).newSignatures[0]
        let hash = String(UInt64(bitPattern: Int64("queue stalled".hashValue)), radix: 16)
        let key = IndexKey.of(service: "jobs/worker", hash: hash)
        #expect(IndexKey.parse(key)! == ("jobs/worker", hash))
        #expect(try store.signatureIDs(tenant: "default", keys: [key, "other/abc"]) == [key: id])
        #expect(try store.signatureIDs(tenant: "another", keys: [key]).isEmpty)
    }

    @Test func filtersBecomeWhereClausesOfSingleKeyObjects() throws {
        func json(_ filter: SearchFilter) throws -> String? {
            try ChromaVectorStore.whereClause(for: filter).map {
                String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self)
            }
        }
        #expect(try json(SearchFilter()) == nil)
        #expect(try json(SearchFilter(services: ["api"])) == #"{"service":{"$eq":"api"}}"#)
        #expect(try json(SearchFilter(services: ["api", "db"], levels: [.error, .fatal], since: 1_500_000_000, until: 9_999_999_999)) ==
                #"{"$and":[{"service":{"$in":["api","db"]}},{"level":{"$in":["error","fatal"]}},{"last_seen":{"$gte":1}},{"first_seen":{"$lte":9}}]}"#)
    }

    @Test func collectionNamesArePredictableAndValidInChroma() {
        #expect(ChromaVectorStore.collectionName(tenant: "default") == "deja-default")
        #expect(ChromaVectorStore.collectionName(tenant: "team_a-1") == "deja-team_a-1")
        // Loki allows characters Chroma does not: those tenants are spelled in hex.
        #expect(ChromaVectorStore.collectionName(tenant: "acme.eu(1)") == "deja-x61636d652e657528312" + "9")
        #expect(ChromaVectorStore.collectionName(tenant: "") == "deja-x")
        // These two once shared `deja-x2a`: a tenant starting with x is spelled in hex too.
        #expect(ChromaVectorStore.collectionName(tenant: "*") == "deja-x2a")
        #expect(ChromaVectorStore.collectionName(tenant: "x2a") == "deja-x783261")
    }

    @Test("no two tenants share a collection: generated Loki tenant ids, plain and hex-spelled, map one to one")
    func collectionNamesNeverCollide() {
        var random = SeededGenerator(seed: 16)
        let alphabet = Array("abxyzX019-_.*'()!")
        var names: [String: String] = [:]
        for _ in 0..<50_000 {
            let tenant = String((0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let name = ChromaVectorStore.collectionName(tenant: tenant)
            if let other = names[name] { #expect(other == tenant, "'\(other)' and '\(tenant)' share \(name)") }
            names[name] = tenant
            // Chroma's rule: 3 to 512 of [a-zA-Z0-9._-], starting and ending alphanumeric.
            #expect(name.utf8.count <= 512 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
            #expect(name.last!.isLetter || name.last!.isNumber)
        }
        let longest = String(repeating: "(", count: 150)
        #expect(ChromaVectorStore.collectionName(tenant: longest).utf8.count == 306)
    }
}
