import AthanorJournal

/// One runtime call a program sends (a JSON line on its calls pipe; see docs/run-protocol.md),
/// checked field by field before anything is recorded.
enum ProgramCall: Equatable {
    case log(LogRecord)
    case logBatch([LogRecord])
    case result(key: String, value: JSONValue)
    case progress(ProgressUpdate)
    case metrics([MetricRecord.Value], step: Int?)
    case complete
    case fail(error: String)

    /// The call on `line` (without its newline).
    /// - Throws: ``ProgramError/badLine(line:problem:)`` quoting the line and naming the problem.
    init(line: Substring) throws(ProgramError) {
        do {
            try self.init(parsing: line)
        } catch let problem {
            throw .badLine(line: ProgramError.quoted(line), problem: problem.reason)
        }
    }

    private init(parsing line: Substring) throws(Problem) {
        let value: JSONValue
        do {
            value = try JSONValue(parsingStrictly: line)
        } catch {
            throw Problem(Self.mentionsNonFinite(line) ? "NaN and ±Infinity are not numbers JSON can hold" : "not JSON: \(error)")
        }
        guard case .object(let call) = value else { throw Problem("not a JSON object") }
        let fields = Fields(call)
        switch try fields.string("call") {
        case "log":
            self = .log(try Self.logRecord(fields))
        case "log_batch":
            guard case .array(let entries)? = call["entries"] else { throw Problem("\"entries\" must be a list") }
            var records: [LogRecord] = []
            records.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                guard case .object(let object) = entry else { throw Problem("entries[\(index)] must be an object") }
                do {
                    records.append(try Self.logRecord(Fields(object)))
                } catch {
                    throw Problem("entries[\(index)]: \(error.reason)")
                }
            }
            self = .logBatch(records)
        case "result":
            guard let result = call["value"] else { throw Problem("\"value\" is missing") }
            self = .result(key: try fields.string("key"), value: result)
        case "progress":
            self = .progress(
                ProgressUpdate(
                    current: try fields.integer("current"), total: try fields.integer("total"),
                    message: try fields.optionalString("message")))
        case "metric":
            self = .metrics([MetricRecord.Value(try fields.string("key"), try fields.number("value"))], step: try fields.optionalInteger("step"))
        case "metrics":
            guard case .object(let values)? = call["values"] else { throw Problem("\"values\" must be an object of numbers") }
            var points: [MetricRecord.Value] = []
            for member in values {
                guard let number = member.value.doubleValue else {
                    throw Problem("values.\(member.key) must be a number")
                }
                points.append(MetricRecord.Value(member.key, number))
            }
            self = .metrics(points, step: try fields.optionalInteger("step"))
        case "complete":
            self = .complete
        case "fail":
            self = .fail(error: try fields.string("error"))
        case let other:
            throw Problem(
                "unknown call \"\(other)\" (known: log, log_batch, result, progress, metric, metrics, complete, fail)")
        }
    }

    private static func logRecord(_ fields: Fields) throws(Problem) -> LogRecord {
        let levelName = try fields.string("level")
        guard let level = LogLevel(rawValue: levelName) else {
            throw Problem("level \"\(levelName)\" is not one of debug, info, warn, error")
        }
        let metadata = fields.object["metadata"]
        return LogRecord(level, try fields.string("message"), metadata: metadata == .null ? nil : metadata)
    }

    /// Whether a line that does not parse holds a bare NaN or Infinity (what Python's `json`
    /// writes for them).
    private static func mentionsNonFinite(_ line: Substring) -> Bool {
        line.contains("NaN") || line.contains("Infinity")
    }

    /// What is wrong with a line.
    struct Problem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Typed access to a call's fields, each error naming the field.
    private struct Fields {
        let object: JSONObject
        init(_ object: JSONObject) { self.object = object }

        func string(_ name: String) throws(Problem) -> String {
            guard let value = object[name] else { throw Problem("\"\(name)\" is missing") }
            guard case .string(let text) = value else { throw Problem("\"\(name)\" must be a string") }
            return text
        }

        func optionalString(_ name: String) throws(Problem) -> String? {
            guard let value = object[name], value != .null else { return nil }
            return try string(name)
        }

        func integer(_ name: String) throws(Problem) -> Int {
            guard let value = object[name] else { throw Problem("\"\(name)\" is missing") }
            guard let integer = value.integerValue, let exact = Int(exactly: integer) else {
                throw Problem("\"\(name)\" must be an integer")
            }
            return exact
        }

        func optionalInteger(_ name: String) throws(Problem) -> Int? {
            guard let value = object[name], value != .null else { return nil }
            return try integer(name)
        }

        func number(_ name: String) throws(Problem) -> Double {
            guard let value = object[name] else { throw Problem("\"\(name)\" is missing") }
            guard let number = value.doubleValue else { throw Problem("\"\(name)\" must be a number") }
            return number
        }
    }
}
