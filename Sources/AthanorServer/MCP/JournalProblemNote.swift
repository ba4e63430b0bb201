import Athanor

extension Catalog.RunEntry {
    /// `answer` with, when the run's journal is damaged, its `problems` (each naming the file
    /// and line) and a `warning` saying that the answer holds only what could be read: an
    /// agent must not take a partial record for the whole run.
    func notingJournalProblems(in answer: JSONValue) -> JSONValue {
        guard !summary.problems.isEmpty, var object = answer.objectValue else { return answer }
        object["warning"] = .string(
            "the run's journal is damaged; this answer holds only what could be read (see `problems`)")
        object["problems"] = .array(summary.problems.map(JSONValue.string))
        return .object(object)
    }
}
