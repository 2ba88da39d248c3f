/// The fields in which structured logs carry an event's exception: OpenTelemetry's
/// `exception.type`, `exception.message` and `exception.stacktrace` (what its Java, .NET and Python
/// log bridges set on a record logged with an exception) and ECS's `error.type`, `error.message`
/// and `error.stack_trace` (ECS logging, Elastic's OTLP mapping). They are the failure itself,
/// not labels or attributes to filter by: they move into the event's body, under its line, as a
/// log file prints an exception, where the trace reducer, the taxonomy and search see them.
public enum ExceptionFields {
    private static let conventions = [(type: "exception.type", message: "exception.message", trace: "exception.stacktrace"),
                                      (type: "error.type", message: "error.message", trace: "error.stack_trace")]
    /// Every field name of the conventions, as dotted (flattened) keys.
    public static let keys: Set<String> = Set(conventions.flatMap { [$0.type, $0.message, $0.trace] })

    /// `body` followed by the exception `fields` hold (its trace, else `type: message`), whose
    /// fields are removed; a detail the body already holds is not repeated.
    public static func body(_ body: String, movingFrom fields: inout [String: String]) -> String {
        var body = body
        for convention in conventions {
            let type = fields.removeValue(forKey: convention.type).flatMap(nonEmpty)
            let message = fields.removeValue(forKey: convention.message).flatMap(nonEmpty)
            let heading = [type, message].compactMap { $0 }.joined(separator: ": ")
            var detail = heading
            if let trace = fields.removeValue(forKey: convention.trace).flatMap(nonEmpty) {
                // Java's, .NET's and Python's traces start with (or end with) the type and message.
                let traceHoldsMessage = message.map { trace.contains($0) } ?? true
                detail = traceHoldsMessage ? trace : heading + "\n" + trace
            }
            if !detail.isEmpty, !body.contains(detail) { body += body.isEmpty ? detail : "\n" + detail }
        }
        return body
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.allSatisfy(\.isWhitespace) ? nil : text
    }
}
