/// Limits on what one ingest request may carry, in the spirit of Loki's `limits_config`. A request
/// over any of them is refused whole with a 4xx naming the limit (OTLP: the record, as a partial
/// success): nothing of it is stored.
public struct IngestLimits: Sendable {
    /// Body as received (compressed or not).
    public var maxBodyBytes = 16 << 20
    /// Body after gzip or snappy: a small body that inflates past this is a decompression bomb.
    public var maxDecompressedBytes = 32 << 20
    /// One log line (event body).
    public var maxLineBytes = 256 << 10
    /// Nesting of JSON objects and arrays.
    public var maxJSONDepth = 32
    /// Labels of one stream or event (Loki's `max_label_names_per_series` is 15 by default; collectors
    /// that copy Kubernetes labels send more).
    public var maxLabelsPerStream = 64
    /// One label name, in bytes (Loki's `max_label_name_length`).
    public var maxLabelNameBytes = 1_024
    /// One label value, in bytes (Loki's `max_label_value_length`).
    public var maxLabelValueBytes = 2_048
    /// Streams in one Loki push, resources in one OTLP request.
    public var maxStreamsPerRequest = 10_000
    /// Events in one request.
    public var maxEventsPerRequest = 100_000
    /// The events of one request as held in memory: lines plus each event's own copy of its labels,
    /// with `labelOverhead` per label and `eventOverhead` per event. Bounds
    /// what a small body may expand to (one stream's labels repeat on every line), and so the memory
    /// one request can take while it is made durable and stored: a few copies of this. Collectors
    /// send far less (Promtail 1 MiB batches, Fluent Bit 2 MiB chunks; Loki's default burst is 6 MB).
    public var maxEventBytesPerRequest = 16 << 20

    public init() {}

    /// Refuses labels over the count or length limits, naming where they are.
    func check(labels: [String: String], at place: @autoclosure () -> String) throws {
        guard labels.count <= maxLabelsPerStream else {
            throw Rejection.badRequest("\(place()): \(labels.count) labels, over the limit of \(maxLabelsPerStream)", reason: "too_many_labels")
        }
        for (name, value) in labels {
            guard name.utf8.count <= maxLabelNameBytes else {
                throw Rejection.badRequest("\(place()): label name of \(name.utf8.count) bytes is over the \(maxLabelNameBytes)-byte limit",
                                           reason: "label_too_long")
            }
            guard value.utf8.count <= maxLabelValueBytes else {
                throw Rejection.badRequest("\(place()): label \(name.prefix(64)) has a value of \(value.utf8.count) bytes, over the "
                                           + "\(maxLabelValueBytes)-byte limit", reason: "label_too_long")
            }
        }
    }

    /// Bytes a set of labels adds to every event that carries it: its text, and what each label
    /// costs in memory beyond it (a dictionary slot and a string's storage).
    static func bytes(of labels: [String: String]) -> Int {
        labels.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + labelOverhead }
    }

    static let labelOverhead = 64
    /// What an event costs in memory beyond its text and labels.
    static let eventOverhead = 128
}

/// Counts one request's events and their stored bytes against the limits as they are decoded, so
/// that a request is refused before it has grown in memory.
struct RequestBudget {
    let limits: IngestLimits
    private(set) var events = 0
    private(set) var bytes = 0

    init(_ limits: IngestLimits) { self.limits = limits }

    /// Adds one event of `bytes` (its line and labels); throws once the request is over a limit.
    mutating func add(bytes eventBytes: Int) throws {
        events += 1
        bytes += eventBytes + IngestLimits.eventOverhead
        guard events <= limits.maxEventsPerRequest else {
            throw Rejection(status: .contentTooLarge, reason: "too_many_events",
                            message: "request holds more than \(limits.maxEventsPerRequest) events; send smaller batches")
        }
        guard bytes <= limits.maxEventBytesPerRequest else {
            throw Rejection(status: .contentTooLarge, reason: "events_too_large",
                            message: "request's events with their labels exceed \(limits.maxEventBytesPerRequest) bytes; send smaller batches or fewer labels")
        }
    }

    /// Refuses a request with more streams than allowed.
    func check(streams: Int) throws {
        guard streams <= limits.maxStreamsPerRequest else {
            throw Rejection(status: .contentTooLarge, reason: "too_many_streams",
                            message: "request holds \(streams) streams, over the limit of \(limits.maxStreamsPerRequest)")
        }
    }
}
