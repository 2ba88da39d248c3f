/// A ready PromQL expression for a metric, fitting its type: a counter as a per-second rate, a
/// histogram as its 95th percentile, a summary's quantiles as they are, a gauge as it is.
public enum PromQLExpression {
    public static func of(_ metadata: MetricMetadata) -> String {
        let name = metadata.metric
        switch metadata.type {
        case "histogram", "gaugehistogram":
            let base = name.hasSuffix("_bucket") ? String(name.dropLast(7)) : name
            return "histogram_quantile(0.95, sum by (le) (rate(\(base)_bucket[5m])))"
        case "summary":
            return "rate(\(name)_sum[5m]) / rate(\(name)_count[5m])"
        case "counter":
            return "rate(\(name)[5m])"
        default:
            // Untyped series named by the counter convention are read as counters too.
            if name.hasSuffix("_total") { return "rate(\(name)[5m])" }
            if name.hasSuffix("_bucket") { return "histogram_quantile(0.95, sum by (le) (rate(\(name)[5m])))" }
            return name
        }
    }
}
