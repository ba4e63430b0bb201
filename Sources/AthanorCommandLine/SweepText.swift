import Athanor
import AthanorJournal
import Foundation

/// Sweeps and their trials as text for the terminal.
enum SweepText {
    /// One line per trial start or end; errors in full as they happen.
    static func line(_ progress: SweepProgress) -> String {
        switch progress {
        case .trialStarted(let plan, let run):
            return "trial \(params(plan)): run \(Output.short(run)) started"
        case .trialEnded(let plan, let summary):
            var line = "trial \(params(plan)): \(summary.status.rawValue) in \(Output.duration(summary.duration()))"
            if let error = summary.error { line += ": \(error)" }
            return line
        }
    }

    /// The sweep's header and its trials, best first when it has a metric.
    static func print(_ view: SweepView) {
        let created = view.created
        Swift.print("sweep \(created.sweep) \(created.name) (\(created.experiment)): \(view.status.rawValue)")
        let counts = view.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        Swift.print("\(view.trials.count) trials: \(counts)")
        let best = view.best
        let lowerIsBetter = created.goal != "max"
        let trials = view.trials.sorted { lhs, rhs in
            switch (lhs.value, rhs.value) {
            case let (left?, right?): return lowerIsBetter ? left < right : left > right
            case (.some, nil): return true
            default: return false
            }
        }
        Output.table(
            ["", "TRIAL", "PARAMETERS", "STATUS", created.metric?.uppercased() ?? "VALUE", "RUN"],
            trials.map { trial in
                [
                    trial.plan.key == best ? "*" : "", trial.plan.key, params(trial.plan), trial.status,
                    value(trial, of: view), trial.latest.map { Output.short($0.runID) } ?? "—",
                ]
            })
    }

    static func value(_ trial: SweepView.Trial, of view: SweepView) -> String {
        trial.value.map { "\($0)" } ?? "—"
    }

    private static func params(_ plan: SweepTrialPlan) -> String {
        var text = plan.params.map { "\($0.key)=\(brief($0.value))" }.joined(separator: " ")
        if plan.repeatIndex > 0 { text += " #\(plan.repeatIndex)" }
        return text
    }

    private static func brief(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .double(let number): return String(format: "%.4g", number)
        default:
            var encoder = JSONLineEncoder()
            try? encoder.appendValue(value)
            return String(decoding: encoder.bytes, as: UTF8.self)
        }
    }
}
