import ArgumentParser
import DejaCore

extension LineFormat {
    /// The layout given with `--format`, or nil without one; a bad template is a usage error.
    static func option(_ template: String?) throws -> LineFormat? {
        guard let template else { return nil }
        do { return try LineFormat(template) } catch let error as LineFormat.Error { throw ValidationError(error.description) }
    }
}

/// `--zone`: the zone of a source's zone-less timestamps.
struct ZoneOption: ParsableArguments {
    @Option(help: "Zone of timestamps that name none, as a fixed offset: UTC (default; or $DEJA_ZONE), +02:00, -0700.")
    var zone: String?

    /// Checked with the other arguments, before anything is read or loaded.
    func validate() throws {
        _ = try offset()
    }

    /// Seconds east of UTC.
    func offset() throws -> Int64 {
        let text = setting(zone, "ZONE") ?? "UTC"
        guard let offset = ZoneOffset.seconds(text) else {
            throw ValidationError("--zone '\(text)' is not UTC or a fixed offset such as +02:00 or -0700")
        }
        return offset
    }

    /// A line parser that places year-less dates near now and reads zone-less times in the zone.
    func parser() throws -> LineParser {
        LineParser(timestamps: TimestampScanner(reference: EventTime.now(), zoneOffset: try offset()))
    }
}
