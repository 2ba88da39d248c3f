/// One log record. A multi-line stack trace is one event.
public struct LogEvent: Sendable, Hashable, Codable {
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64
    public var tenant: String
    public var service: String
    public var level: Severity
    /// Stream labels (Loki-style), e.g. `namespace`, `pod`, `container`.
    public var labels: [String: String]
    /// The record's text as received (after any envelope such as CRI or JSON is removed).
    public var body: String
    /// Structured fields that are not labels (JSON keys, OTLP attributes).
    public var attributes: [String: String]
    /// An id given by the sender, kept so that search results can refer back to it.
    public var externalID: String?
    /// The time written in the line, when it differs from `timestamp`, the collector's (Loki entry,
    /// OTLP record, CRI envelope): kept beside it, so that both can be shown.
    public var lineTimestamp: Int64?

    public init(timestamp: Int64, tenant: String = "default", service: String, level: Severity = .unknown,
                labels: [String: String] = [:], body: String, attributes: [String: String] = [:], externalID: String? = nil,
                lineTimestamp: Int64? = nil) {
        self.timestamp = timestamp
        self.tenant = tenant
        self.service = service
        self.level = level
        self.labels = labels
        self.body = body
        self.attributes = attributes
        self.externalID = externalID
        self.lineTimestamp = lineTimestamp == timestamp ? nil : lineTimestamp
    }
}
