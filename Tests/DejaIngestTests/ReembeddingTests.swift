import DejaCore
import DejaEmbedding
import DejaIngest
import DejaStore
import Foundation
import Testing

/// A store an earlier release embedded: its vectors are made again by this release's recipe, in
/// the background and after new signatures, without losing issues or what an index holds.
@Suite struct ReembeddingTests {
    @Test("vectors of an earlier recipe are embedded again; signatures keep their issues and are sent to the index again")
    func earlierRecipesAreEmbeddedAgain() throws {
        let stages = try ingestStages(try temporaryDataDirectory("deja-reembed"))
        let store = stages.pipeline.store
        let identity = stages.pipeline.embedder.modelIdentity
        _ = try stages.pipeline.ingest([
            LogEvent(timestamp: 1, service: "api", level: .error, body: "Error: connect ECONNREFUSED 10.0.3.7:5432"),
            LogEvent(timestamp: 2, service: "api", level: .error, body: "disk quota exceeded on /var/lib/data"),
        ])
        stages.embedder.start()
        try stages.embedder.finish()
        let current = try store.vectors(signatures: [1, 2], model: identity)
        let issues = try store.signatures(ids: [1, 2], tenant: nil).map(\.issueID)
        #expect(current.count == 2 && issues.allSatisfy { $0 != nil })

        // Signature 1 as an earlier release left it: another vector, made by no recorded recipe,
        // already published to an index; a search has loaded it.
        try store.upsert([VectorRecord(signatureID: 1, tenant: "default", service: "api", level: .error, vector: current[1]!.map { -$0 })],
                         model: identity)
        try store.markIndexed(try store.indexEntries(ids: [1, 2], model: identity))
        // The new release starts: its clusterers read the stored vectors.
        let issueStage = stages.pipeline.issues
        try issueStage.reload()
        #expect(try store.signaturesWithStaleVectors(model: identity, recipe: EmbeddingText.recipe, limit: 10).map(\.id) == [1])
        #expect(try store.search(current[1]!, model: identity, filter: SearchFilter(), k: 1).first?.signatureID == 2)

        let upgraded = BackgroundEmbedder(store: store, embedder: stages.pipeline.embedder, issues: stages.pipeline.issues)
        upgraded.start()
        try upgraded.finish()
        #expect(upgraded.reembedded == 1 && upgraded.embedded == 0)
        #expect(try store.signaturesWithStaleVectors(model: identity, recipe: EmbeddingText.recipe, limit: 10).isEmpty)
        let hit = try #require(try store.search(current[1]!, model: identity, filter: SearchFilter(), k: 1).first)
        #expect(hit.signatureID == 1 && hit.similarity > 0.9999)
        #expect(try store.signatures(ids: [1, 2], tenant: nil).map(\.issueID) == issues)
        // Sent to an index whole, with the new vector, not as an update of its counts.
        let pending = try store.pendingIndexEntries(model: identity, limit: 10)
        #expect(pending.map(\.signature.id) == [1] && pending.first?.published == false)
        // A new wording of signature 1's failure joins its issue: clustering reads the new vector too.
        _ = try stages.pipeline.ingest([LogEvent(timestamp: 3, service: "api", level: .error, body: "could not reach postgres at 10.0.3.7")])
        let third = try #require(try store.signatures(ids: [3], tenant: nil).first)
        try issueStage.place([third], vectors: [current[1]!])
        #expect(try store.signatures(ids: [3], tenant: nil).first?.issueID == issues[0])
    }
}
