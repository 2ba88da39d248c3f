/// The series Prometheus writes for every scrape, which no exporter describes (they have no
/// metadata), with the meaning its documentation gives them ("Jobs and instances: automatically
/// generated labels and time series").
public enum SyntheticSeries {
    public static let help: [String: String] = [
        "up": "1 if the scrape target (instance) is healthy and reachable, 0 if the scrape failed: whether a target is up or down",
        "scrape_duration_seconds": "Duration of the scrape of the target",
        "scrape_samples_scraped": "The number of samples the target exposed",
        "scrape_samples_post_metric_relabeling": "The number of samples remaining after metric relabeling was applied",
        "scrape_series_added": "The approximate number of new series in this scrape",
        "scrape_timeout_seconds": "The configured scrape timeout for the target",
        "scrape_sample_limit": "The configured sample limit for the target",
        "scrape_body_size_bytes": "The uncompressed size of the most recent scrape response",
    ]
}
