import DejaCore

/// The streams of the sources in a request that mixes many (an Elasticsearch bulk request from
/// Filebeat, an OTLP export from a collector's `filelog` receiver): events are one source's when
/// their service and the labels that name where a line was written (file, pod, container, host,
/// output stream) agree. Within each, a record its shipper sent line by line (a Java trace from a
/// Fluent Bit or Filebeat without a multiline parser) is joined into one event, as for a Loki push.
enum SourceStreams {
    /// Labels that tell one source's lines from another's; fields that change on every line
    /// (Filebeat's `log.offset`, a record's trace id) are not among them.
    static let sourceKeys = ServiceLabels.pathKeys + [
        "_index", "log.file.name", "stream", "log.iostream",
        "host", "hostname", "host.name", "host.hostname",
        "kubernetes.pod_name", "kubernetes.pod.name", "kubernetes.pod_id", "kubernetes.pod.uid", "k8s.pod.name", "k8s.pod.uid",
        "kubernetes.docker_id", "container.id", "container_id",
    ]

    /// `events` with each source's multi-line records joined, then blank entries and W3C directives
    /// left out (`ReceivedRecords.isNoEvent`); each source's events stay in the order sent, sources
    /// in the order they first appear. When no line could continue a record (most requests), one
    /// look at each line.
    static func joined(_ events: [LogEvent]) -> [LogEvent] {
        guard events.dropFirst().contains(where: { ReceivedRecords.mayContinue($0.body) }) else {
            return events.filter { !ReceivedRecords.isNoEvent($0.body) }
        }
        var order: [[String]] = []
        var streams: [[String]: [LogEvent]] = [:]
        for event in events {
            let source = [event.service] + sourceKeys.map { event.labels[$0] ?? "" }
            if streams[source] == nil { order.append(source) }
            streams[source, default: []].append(event)
        }
        return order.flatMap { source in
            let stream = streams[source]!
            return ReceivedRecords.joined(stream[...]) ?? stream
        }.filter { !ReceivedRecords.isNoEvent($0.body) }
    }
}
