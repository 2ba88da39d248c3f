/// What a metrics server says about one metric: its name, type, HELP, unit, label names and the
/// jobs that export it (Prometheus' `/api/v1/metadata`, series names and labels).
public struct MetricMetadata: Sendable, Codable, Hashable {
    public var metric: String
    /// `counter`, `gauge`, `histogram`, `summary`, `info`, `stateset`, `gaugehistogram` or `unknown`.
    public var type: String
    public var help: String
    public var unit: String
    public var labels: [String]
    public var jobs: [String]

    public init(metric: String, type: String = "unknown", help: String = "", unit: String = "", labels: [String] = [], jobs: [String] = []) {
        self.metric = metric
        self.type = type
        self.help = help
        self.unit = unit
        self.labels = labels
        self.jobs = jobs
    }

    private enum CodingKeys: String, CodingKey { case metric, type, help, unit, labels, jobs }

    /// Only `metric` is required; what a source does not say is empty (`unknown` for the type).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(metric: try container.decode(String.self, forKey: .metric),
                  type: try container.decodeIfPresent(String.self, forKey: .type) ?? "unknown",
                  help: try container.decodeIfPresent(String.self, forKey: .help) ?? "",
                  unit: try container.decodeIfPresent(String.self, forKey: .unit) ?? "",
                  labels: try container.decodeIfPresent([String].self, forKey: .labels) ?? [],
                  jobs: try container.decodeIfPresent([String].self, forKey: .jobs) ?? [])
    }
}
