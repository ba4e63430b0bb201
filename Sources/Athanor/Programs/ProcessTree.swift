import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Processes found through `/proc` (Linux).
enum ProcessTree {
    /// Kills the process group of every child of `parent` that leads one: a worker's program
    /// experiment, before the worker itself is killed (the program would outlive it otherwise).
    static func killChildGroups(of parent: pid_t) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let fields = statFields(stat), fields.parent == parent, fields.group == pid
            else { continue }
            _ = kill(-pid, SIGKILL)
        }
    }

    /// The parent and process group of a `/proc/PID/stat` line, whose second field (the
    /// command, in parentheses) may hold spaces and parentheses itself.
    private static func statFields(_ stat: String) -> (parent: pid_t, group: pid_t)? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state, ppid, pgrp.
        guard rest.count >= 3, let parent = pid_t(rest[1]), let group = pid_t(rest[2]) else { return nil }
        return (parent, group)
    }
}
