/// The lines `journalctl` prints among a journal's entries about its output, not entries of it:
/// `-- Journal begins at …, ends at … --` (before systemd 246 `-- Logs begin at …`), `-- Boot 1b2c… --`,
/// `-- Reboot --`, `-- No entries --` (journalctl(1), `--quiet`). A marker is not an event.
enum JournalctlMarker {
    private static let openings = ["Journal begins at ", "Logs begin at ", "Boot ", "Reboot --", "No entries --"]

    /// Whether `line` is such a marker.
    static func isMarker(_ line: String) -> Bool {
        guard line.utf8.first == UInt8(ascii: "-"), line.hasPrefix("-- "), line.hasSuffix(" --") else { return false }
        let inner = line.dropFirst(3)
        return openings.contains { inner.hasPrefix($0) }
    }
}
