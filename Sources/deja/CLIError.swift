/// A failure while running a command (as opposed to wrong options): printed as `Error: …` without usage.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
