/// How a receiver's labels give an event its level, the way collectors name it (Loki's
/// `detected_level`, ECS's `log.level`); its service is `ServiceLabels.service(in:)`. Receivers and
/// log exports read labels with it.
public enum StreamLabels {
    /// In order of preference.
    public static let levelKeys = ["level", "severity", "detected_level", "log.level", "lvl", "loglevel", "severity_text"]

    /// Keys that can name an event's service or level: kept whatever else a document holds.
    public static let namingKeys = Set(ServiceLabels.keys + levelKeys + ServiceLabels.pathKeys)

    /// Level named by `labels`, or nil.
    public static func level(_ labels: [String: String]) -> Severity? {
        for key in levelKeys {
            if let value = labels[key] {
                let level = Severity(parsing: value)
                if level != .unknown { return level }
            }
        }
        return nil
    }
}
