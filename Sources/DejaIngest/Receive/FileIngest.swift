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
        } catch let stopped as FileSource.Stopped {
            // What was read before the bad input is stored, and said.
            throw IngestStopped(cause: stopped.cause, stored: (try? writer.finish())?.events ?? writer.storedSoFar.events, unread: stopped.unread)
        } catch {
            _ = try? writer.finish()
            throw error
        }
        let totals = try writer.finish()
        try pipeline.patterns.snapshot()
        return totals
    }
}

/// `deja ingest` stopped at input it cannot read: says what of the run was stored and which files were not read.
public struct IngestStopped: Error, CustomStringConvertible {
    public let cause: Error
    /// Events the run stored, all read before the cause.
    public let stored: Int
    public let unread: [String]

    public var description: String {
        let storedText = switch stored {
        case 0: "Nothing was stored"
        case 1: "The event read before it was stored"
        default: "The \(stored) events read before it were stored"
        }
        var text = "\(cause)"
        text += (text.last == "." ? " " : ". ") + storedText
        if !unread.isEmpty { text += "; not read: " + unread.joined(separator: ", ") }
        return text
    }
}
