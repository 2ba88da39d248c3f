import Foundation

/// A flag's value, else `DEJA_<name>` from the environment (empty counts as unset): a flag wins.
func setting(_ flag: String?, _ name: String) -> String? {
    flag ?? ProcessInfo.processInfo.environment["DEJA_" + name].flatMap { $0.isEmpty ? nil : $0 }
}
