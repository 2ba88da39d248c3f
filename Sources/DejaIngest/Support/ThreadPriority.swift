import Foundation

/// CPU priority of the pipeline's own threads, relative to the threads that answer requests.
public enum ThreadPriority {
    /// Sets the calling thread's nice value (Linux: `setpriority` with who = 0 is the thread itself).
    public static func lower(to niceness: Int32) {
        #if canImport(Glibc)
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }
}
