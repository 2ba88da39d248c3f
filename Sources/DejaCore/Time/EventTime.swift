import Foundation

/// The range of times Deja stores, and overflow-safe conversions into it from outside input.
/// Every receiver and query parameter goes through these: a value out of range is refused, never
/// trapped on (Swift traps on integer overflow, and one request must not stop the server).
public enum EventTime {
    /// 1970-01-01T00:00:00Z, in nanoseconds since the epoch.
    public static let earliest: Int64 = 0
    /// 2200-01-01T00:00:00Z (exclusive): far enough for any log, well inside Int64 nanoseconds.
    public static let latest: Int64 = 7_258_118_400 * 1_000_000_000
    /// The range as text, for error messages.
    public static let rangeDescription = "1970-01-01 to 2200-01-01"

    /// `nanoseconds` when it lies in the stored range.
    public static func checked(_ nanoseconds: Int64) -> Int64? {
        nanoseconds >= earliest && nanoseconds < latest ? nanoseconds : nil
    }

    /// Seconds plus nanoseconds (protobuf's `Timestamp`), when in range.
    public static func from(seconds: Int64, nanos: Int32) -> Int64? {
        guard nanos >= 0, nanos < 1_000_000_000 else { return nil }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflowed) = scaled.addingReportingOverflow(Int64(nanos))
        return overflowed ? nil : checked(total)
    }

    /// A count of `unit`-nanosecond units as nanoseconds, when finite and in range (`1e300` is not).
    public static func from(_ value: Double, unitNanoseconds: Double) -> Int64? {
        let nanoseconds = value * unitNanoseconds
        // Below 2^63 exactly (the Int64 conversion traps at or above it), then the stored range.
        guard nanoseconds.isFinite, nanoseconds >= 0, nanoseconds < 9.2e18 else { return nil }
        return checked(Int64(nanoseconds))
    }

    /// Unsigned nanoseconds (OTLP's `fixed64`), when in range.
    public static func from(unsigned nanoseconds: UInt64) -> Int64? {
        nanoseconds < UInt64(latest) ? Int64(nanoseconds) : nil
    }

    /// Now, in nanoseconds since the epoch.
    public static func now() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1e9)
    }
}
