import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// Program experiments: the call lines a program sends, the schemas it declares, and real
/// programs (shell scripts speaking the run protocol by hand) discovered and run.
@Suite struct ProgramExperimentTests {
    private let root = NSTemporaryDirectory() + "athanor-programs-\(Identifier.generate())"
    private var folder: String { root + "/experiments" }
    private var data: DataDirectory { DataDirectory(path: root + "/data") }

    init() throws {
        try FileManager.default.createDirectory(atPath: root + "/experiments", withIntermediateDirectories: true)
    }

    // MARK: Call lines

    @Test func everyCallDecodesWithItsFields() throws {
        #expect(
            try ProgramCall(line: #"{"call":"log","level":"warn","message":"hi","metadata":{"a":1}}"#)
                == .log(LogRecord(.warn, "hi", metadata: ["a": 1])))
        #expect(
            try ProgramCall(line: #"{"call":"log_batch","entries":[{"level":"info","message":"a"},{"level":"error","message":"b"}]}"#)
                == .logBatch([LogRecord(.info, "a"), LogRecord(.error, "b")]))
        #expect(try ProgramCall(line: #"{"call":"result","key":"k","value":[1,{"x":null}]}"#) == .result(key: "k", value: [1, ["x": .null]]))
        #expect(
            try ProgramCall(line: #"{"call":"progress","current":2,"total":5,"message":"m"}"#)
                == .progress(ProgressUpdate(current: 2, total: 5, message: "m")))
        #expect(try ProgramCall(line: #"{"call":"metric","key":"loss","value":0.5}"#) == .metrics([.init("loss", 0.5)], step: nil))
        #expect(
            try ProgramCall(line: #"{"call":"metrics","values":{"z":1,"a":2.5},"step":7}"#)
                == .metrics([.init("z", 1), .init("a", 2.5)], step: 7))
        #expect(try ProgramCall(line: #"{"call":"complete"}"#) == .complete)
        #expect(try ProgramCall(line: #"{"call":"fail","error":"no"}"#) == .fail(error: "no"))
    }

    @Test func aLineThatCannotBeRecordedIsQuotedWithItsProblem() {
        let cases: [(line: String, problem: String)] = [
            (#"{"call":"metric","key":"loss","value":NaN}"#, "NaN and ±Infinity"),
            (#"{"call":"metric","key":"loss","value":-Infinity}"#, "NaN and ±Infinity"),
            ("not json", "not JSON"),
            ("[1,2]", "not a JSON object"),
            (#"{"call":"teleport"}"#, "unknown call \"teleport\""),
            (#"{"call":"log","level":"loud","message":"x"}"#, "level \"loud\""),
            (#"{"call":"log","level":"info"}"#, "\"message\" is missing"),
            (#"{"call":"progress","current":1.5,"total":2}"#, "\"current\" must be an integer"),
            (#"{"call":"metrics","values":{"a":"1"}}"#, "values.a must be a number"),
            (#"{"call":"log_batch","entries":[{"level":"info","message":"a"},3]}"#, "entries[1] must be an object"),
        ]
        for (line, problem) in cases {
            #expect(throws: ProgramError.self) { try ProgramCall(line: line[...]) }
            do {
                _ = try ProgramCall(line: line[...])
            } catch {
                #expect(error.description.contains(problem), "\(line): \(error)")
                #expect(error.description.contains(line), "\(line): \(error)")
            }
        }
        let long = #"{"call":"log","level":"info","message":""# + String(repeating: "x", count: 500) + "\"" + ",\"x\":NaN}"
        do {
            _ = try ProgramCall(line: long[...])
            Issue.record("a NaN line was accepted")
        } catch {
            #expect(error.description.contains(String(long.prefix(100)) + "…"))
            #expect(!error.description.contains(String(long.prefix(101))))
        }
    }

    // MARK: Declared schemas

    @Test func aDeclaredSchemaIsTheSameAsOneBuiltInSwift() throws {
        let built = ConfigSchema {
            Field.string("model", default: "small", options: ["small", "large"])
            Field.float("temperature", default: 0.7, min: 0, max: 2, step: 0.1)
            Field.integer("samples", default: 20, min: 1, max: 10_000, label: "Samples", description: "How many")
            Field.list("prompts", required: true) { Field.string("text", required: true) }
            Field.group("limits") { Field.integer("max_tokens", default: 256, min: 1) }
        }
        #expect(try ConfigSchema(declaration: built.fieldsJSON) == built)
        let invalid = try ConfigSchema(declaration: built.fieldsJSON).validate(["prompts": [["text": .null]], "samples": 0])
        guard case .failure(let errors) = invalid else {
            Issue.record("an invalid configuration was accepted")
            return
        }
        #expect(errors.errors.map(\.path).sorted() == ["prompts[0].text", "samples"])
    }

    @Test func aDeclarationThatIsNotValidSaysWhereAndWhy() {
        let declaration: JSONValue = [
            ["name": "a", "type": "colour"],
            ["name": "b", "type": "integer", "default": 500, "max": 10],
            ["name": "c", "type": "group", "fields": [["type": "string"]]],
            ["name": "a", "type": "boolean"],
            ["name": "d", "type": "string", "options": [1, 2]],
        ]
        do {
            _ = try ConfigSchema(declaration: declaration)
            Issue.record("an invalid declaration was accepted")
        } catch {
            let text = error.description
            #expect(text.contains("a: unknown type \"colour\""))
            #expect(text.contains("c[0]: a field needs a name"))
            #expect(text.contains("a: declared twice"))
            #expect(text.contains("d: options must be a list of text"))
        }
        #expect(throws: ConfigValidationError.self) {
            try ConfigSchema(declaration: [["name": "b", "type": "integer", "default": 500, "max": 10]])
        }
    }

    // MARK: Programs speaking the protocol by hand

    /// Writes an executable shell script named `name` into the experiment folder.
    private func script(_ name: String, _ body: String) throws {
        let path = "\(folder)/\(name)"
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    private static let describeWords = #"""
        if [ "$1" = describe ]; then
          echo '{"protocol":1,"experiments":[{"name":"words","description":"Counts words.","config":[{"name":"text","type":"string","required":true},{"name":"repeat","type":"integer","default":1,"min":1}]}]}'
          exit 0
        fi

        """#

    private func run(_ experiment: String, config: JSONValue, registry: ExperimentRegistry) async throws -> (
        RunEvent, [RunEvent]
    ) {
        let definition = try registry.experiment(named: experiment)
        let assignment = try RunAssignment.create(
            in: data, instanceID: Identifier.generate(), instanceName: "test", experiment: definition, config: config,
            executor: "inline")
        let ending = try await InlineExecutor(registry: registry).execute(assignment)
        let events = try JournalReader<RunEvent>.readAll(path: assignment.journalPath + ".zst").map(\.payload)
        return (ending, events)
    }

    @Test func aShellScriptSpeakingTheProtocolRunsAsAnExperiment() async throws {
        try script(
            "words",
            Self.describeWords + #"""
                read -r start <&4
                case "$start" in *'"type":"start"'*'"text":"a b c"'*) ;; *) echo "bad start: $start" >&2; exit 9 ;; esac
                echo '{"call":"log","level":"info","message":"counting","metadata":{"n":3}}' >&3
                printf '%s\n%s\n' '{"call":"metric","key":"loss","value":0.5}' '{"call":"metrics","values":{"loss":0.25,"acc":1},"step":4}' >&3
                echo '{"call":"result","key":"words","value":3}' >&3
                echo '{"call":"progress","current":1,"total":1}' >&3
                echo '{"call":"complete"}' >&3
                """#)
        let registry = ExperimentRegistry([], discovering: ExperimentDiscovery(folders: [folder]))
        let found = try registry.experiment(named: "words")
        #expect(found.program?.file == folder + "/words")
        #expect(found.configSchema["repeat"]?.defaultValue == 1)
        let (ending, events) = try await run("words", config: ["text": "a b c"], registry: registry)
        #expect(ending == .completed)
        #expect(events.count == 8)
        #expect(events[2] == .log(LogRecord(.info, "counting", metadata: ["n": 3])))
        #expect(events[3] == .metric(MetricRecord(step: 0, values: [.init("loss", 0.5)])))
        #expect(events[4] == .metric(MetricRecord(step: 4, values: [.init("loss", 0.25), .init("acc", 1)])))
        #expect(events[5] == .result(key: "words", value: 3))
        #expect(events.last == .completed)
    }

    @Test func aBadLineFailsTheRunQuotingItAndKeepsWhatCameBefore() async throws {
        try script(
            "words",
            Self.describeWords + #"""
                read -r start <&4
                echo '{"call":"log","level":"info","message":"before"}' >&3
                echo '{"call":"metric","key":"loss","value":NaN}' >&3
                echo '{"call":"log","level":"info","message":"after"}' >&3
                sleep 30
                """#)
        let registry = ExperimentRegistry([], discovering: ExperimentDiscovery(folders: [folder]))
        let (ending, events) = try await run("words", config: ["text": "x"], registry: registry)
        guard case .failed(let error) = ending else {
            Issue.record("the run should have failed, not \(ending)")
            return
        }
        #expect(error.contains("NaN and ±Infinity are not numbers JSON can hold"))
        #expect(error.contains(#"{"call":"metric","key":"loss","value":NaN}"#))
        #expect(events.contains(.log(LogRecord(.info, "before"))))
        #expect(!events.contains(.log(LogRecord(.info, "after"))))
    }

    @Test func aLineThatIsNotUTF8FailsTheRun() async throws {
        try script("words", Self.describeWords + "read -r start <&4\nprintf '{\"call\":\"log\",\"level\":\"info\",\"message\":\"\\377\"}\\n' >&3\n")
        let registry = ExperimentRegistry([], discovering: ExperimentDiscovery(folders: [folder]))
        let (ending, events) = try await run("words", config: ["text": "x"], registry: registry)
        guard case .failed(let error) = ending else {
            Issue.record("the run should have failed, not \(ending)")
            return
        }
        #expect(error.contains("not valid UTF-8"))
        #expect(!events.contains { if case .log = $0 { true } else { false } })
    }

    @Test func anExitWithoutAnEndingCompletesOrFailsByItsStatus() async throws {
        try script("words", Self.describeWords + "read -r start <&4\nexit \"$(echo \"$start\" | grep -c '\"text\":\"fail\"' | sed 's/1/3/')\"\n")
        let registry = ExperimentRegistry([], discovering: ExperimentDiscovery(folders: [folder]))
        #expect(try await run("words", config: ["text": "ok"], registry: registry).0 == .completed)
        #expect(
            try await run("words", config: ["text": "fail"], registry: registry).0
                == .failed(error: "the program exited with status 3 without ending the run"))
    }

    @Test func brokenFilesAndClashingNamesAreListedWithoutHidingTheOthers() throws {
        try script("words", Self.describeWords)
        try script("again", Self.describeWords)
        try script("broken", "echo 'cannot start: missing thing' >&2\nexit 1\n")
        try script("demo", #"echo '{"protocol":1,"experiments":[{"name":"demo","config":[]}]}'"# + "\n")
        try script("fine", #"echo '{"protocol":1,"experiments":[{"name":"fine","description":"ok","config":[]}]}'"# + "\n")
        try "not an experiment".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        try script("_helper", "exit 1\n")
        let registry = ExperimentRegistry([DemoLike.self], discovering: ExperimentDiscovery(folders: [folder]))
        let available = registry.available()
        #expect(available.experiments.map(\.name) == ["demo", "fine"])
        #expect(available.experiments.first?.program == nil)
        let problems = Dictionary(grouping: available.problems, by: { URL(fileURLWithPath: $0.file).lastPathComponent })
        #expect(Set(problems.keys) == ["words", "again", "broken", "demo"])
        #expect(problems["broken"]?.first?.message.contains("cannot start: missing thing") == true)
        #expect(problems["words"]?.first?.message.contains("declared by both") == true)
        #expect(problems["words"]?.first?.message.contains("/again and ") == true)
        #expect(problems["demo"]?.first?.message.contains("already taken by a Swift experiment") == true)
        #expect(throws: HarnessError.self) { try registry.experiment(named: "words") }
    }

    @Test func anotherProcessReusesWhatAFileDeclaredUntilItChanges() throws {
        let asked = root + "/asked"
        let cache = data.path + "/.cache/experiments.json"
        try FileManager.default.createDirectory(atPath: data.path, withIntermediateDirectories: true)
        try script(
            "fine",
            "echo asked >> '\(asked)'\n" + #"echo '{"protocol":1,"experiments":[{"name":"fine","description":"one","config":[]}]}'"# + "\n")
        let timesAsked = { (try? String(contentsOfFile: asked, encoding: .utf8))?.split(separator: "\n").count ?? 0 }
        #expect(ExperimentDiscovery(folders: [folder], cacheFile: cache).look(besides: []).experiments.map(\.name) == ["fine"])
        #expect(ExperimentDiscovery(folders: [folder], cacheFile: cache).look(besides: []).experiments.map(\.name) == ["fine"])
        #expect(timesAsked() == 1)
        // Another interpreter, or a changed file, is asked again.
        #expect(ExperimentDiscovery(folders: [folder], python: "python3.11", cacheFile: cache).look(besides: []).experiments.count == 1)
        #expect(timesAsked() == 2)
    }

    @Test func aFileThatHangsIsStoppedListedAndNotAskedAgainUntilItChanges() throws {
        let asked = root + "/asked"
        try script("slow", "echo asked >> '\(asked)'\nexec sleep 600\n")
        let discovery = ExperimentDiscovery(folders: [folder], describeTimeout: .milliseconds(300))
        for _ in 0..<2 {
            let problems = discovery.look(besides: []).problems
            #expect(problems.map(\.message) == [ProgramError.describeTimedOut(seconds: 0.3).description])
        }
        #expect((try? String(contentsOfFile: asked, encoding: .utf8))?.split(separator: "\n").count == 1)
    }

    @Test func aFileAddedOrChangedIsSeenAtTheNextLook() throws {
        let discovery = ExperimentDiscovery(folders: [folder])
        #expect(discovery.look(besides: []).experiments.isEmpty)
        try script("fine", #"echo '{"protocol":1,"experiments":[{"name":"fine","description":"one","config":[]}]}'"# + "\n")
        #expect(discovery.look(besides: []).experiments.map(\.description) == ["one"])
        try script("fine", #"echo '{"protocol":1,"experiments":[{"name":"fine","description":"two!","config":[]}]}'"# + "\n")
        #expect(discovery.look(besides: []).experiments.map(\.description) == ["two!"])
        try FileManager.default.removeItem(atPath: folder + "/fine")
        #expect(discovery.look(besides: []).experiments.isEmpty)
    }
}

/// A Swift experiment named `demo`, which a program may not name itself.
private struct DemoLike: Experiment {
    static let name = "demo"
    static let description = "A Swift experiment."
    static let configSchema = ConfigSchema {}
    func run(_ ctx: RunContext) async throws {}
}
