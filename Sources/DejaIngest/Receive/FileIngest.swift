import DejaCore
import Foundation
import ServiceLifecycle

/// `deja ingest`'s receiver as a service: reads a `FileSource`, prepares each batch on the cores
/// the writer leaves and stores it through a `BatchWriter`, so that reading and preparing the next
/// batch overlaps with writing this one. It returns once every event read is stored (or the first
/// bad input stopped it, after the events before it were stored): list it last in its group, with
/// `.gracefullyShutdownGroup` on success, and the stages after ingest finish their backlog.
public final class FileIngest: Service, @unchecked Sendable {
    // @unchecked: the pipeline is used on the reading thread (`prepare`, pure) and by the writer.
    private let source: FileSource
    private let pipeline: IngestPipeline
    private let writer: BatchWriter
    private let batchSize: Int
    private let lock = NSLock()
    private var read = 0
    private let stored: @Sendable (_ events: Int, _ newSignatures: Int) throws -> Void

    /// `stored` runs once every event is stored, before the group shuts down.
    public init(source: FileSource, pipeline: IngestPipeline, batchSize: Int = 8_000,
                stored: @escaping @Sendable (_ events: Int, _ newSignatures: Int) throws -> Void) {
        self.source = source
        self.pipeline = pipeline
        self.batchSize = batchSize
        self.stored = stored
        writer = BatchWriter(pipeline: pipeline)
    }

    /// Events read so far.
    public var eventsRead: Int { lock.withLock { read } }
    /// Events and new signatures stored so far.
    public var storedSoFar: (events: Int, signatures: Int) { writer.storedSoFar }

    public func run() async throws {
        let totals = try await StageService.onOwnThread(name: "deja-read") { [self] in try readAll() }
        try stored(totals.events, totals.signatures)
    }

    private func readAll() throws -> (events: Int, signatures: Int) {
        do {
            try source.read(batchSize: batchSize, cores: BatchWriter.preparingCores) { events in
                lock.withLock { read += events.count }
                // The input goes on (or ends, which `finish` tells the writer).
                try writer.submit(pipeline.prepare(events, cores: BatchWriter.preparingCores), moreFollows: true)
            }
        } catch {
            // What was read before the bad input is stored.
            _ = try? writer.finish()
            throw error
        }
        let totals = try writer.finish()
        try pipeline.patterns.snapshot()
        return totals
    }
}
