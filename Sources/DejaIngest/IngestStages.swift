import DejaCore
import DejaEmbedding
import DejaStore
import Foundation
import ServiceLifecycle

/// The ingest pipeline and its long-running stages, built the same way by `deja serve` and
/// `deja ingest`: prepare and commit (`IngestPipeline`, fed by a receiver), embed
/// (`BackgroundEmbedder`, which also places signatures in issues) and publish (`VectorIndexSync`,
/// with ChromaDB). `services` gives the stages to run in the command's `ServiceGroup`.
public final class IngestStages: @unchecked Sendable {
    // @unchecked: the pipeline is used by one receiver at a time (its writer thread); the stages are Sendable.
    public let pipeline: IngestPipeline
    public let embedder: BackgroundEmbedder
    public let vectorIndex: VectorIndexSync?

    /// `vectors`: publish signatures to this ChromaDB collection. `batchSize`: texts per forward pass.
    public init(store: SQLiteStore, embedder: SentenceEmbedder, redactor: Redactor, issueRule: IssueClusterer.Rule = IssueClusterer.Rule(),
                vectors: ChromaVectorStore? = nil, batchSize: Int = 32) throws {
        pipeline = try IngestPipeline(store: store, embedder: embedder, redactor: redactor, issueRule: issueRule)
        pipeline.batchSize = batchSize
        self.embedder = BackgroundEmbedder(store: store, embedder: embedder, issues: pipeline.issues, batchSize: batchSize)
        pipeline.background = self.embedder
        vectorIndex = vectors.map { VectorIndexSync(store: store, index: $0, model: embedder.modelIdentity) }
    }

    /// How the stages end when their group shuts down.
    public enum Shutdown: Sendable {
        /// A server: stop after the batch in hand; the backlog is embedded and published at the next start.
        case leaveBacklog
        /// A one-shot run: embed every signature stored, then publish every vector, retrying a
        /// failing vector index for up to `publishRetry` seconds.
        case finishBacklog(publishRetry: TimeInterval)
    }

    /// A one-shot run stored its events, but the vector index did not take their vectors.
    public struct PublishFailed: Error, CustomStringConvertible {
        public let reason: Error
        public var description: String {
            "events are stored, but ChromaDB did not take their vectors: \(reason). They are sent at the next `deja ingest` or `deja serve` with --vector-store chroma"
        }
    }

    /// A stage of `services`, named when it has stopped.
    public enum Stage: Sendable {
        case embed, publish
    }

    /// The embed and publish stages, in a `ServiceGroup`'s order: the group stops them in reverse,
    /// embedding first, so that publishing sees every vector. A receiver is listed after them, so that
    /// it stops (storing what it took) before they do. `stopped` runs after each stage has stopped
    /// at a graceful shutdown; when the group is cancelled (a service failed), the stages stop
    /// after the batch in hand.
    public func services(shutdown: Shutdown, stopped: @escaping @Sendable (Stage) throws -> Void = { _ in }) -> [any Service] {
        var services: [any Service] = []
        if let vectorIndex {
            services.append(StageService(name: "publish", start: vectorIndex.start) { cancelled in
                vectorIndex.stop()
                if case .finishBacklog(let seconds) = shutdown, !cancelled {
                    do { try vectorIndex.drain(retryingFor: seconds) } catch { throw PublishFailed(reason: error) }
                }
                if !cancelled { try stopped(.publish) }
            })
        }
        let embedder = embedder
        services.append(StageService(name: "embed", start: embedder.start) { cancelled in
            switch shutdown {
            case .finishBacklog where !cancelled: try embedder.finish()
            default: embedder.stop()
            }
            if !cancelled { try stopped(.embed) }
        })
        return services
    }
}
