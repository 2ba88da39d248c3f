import ArgumentParser
import DejaCore

extension LineFormat {
    /// The layout given with `--format`, or nil without one; a bad template is a usage error.
    static func option(_ template: String?) throws -> LineFormat? {
        guard let template else { return nil }
        do { return try LineFormat(template) } catch let error as LineFormat.Error { throw ValidationError(error.description) }
    }
}
