import AthanorJournal
import Foundation
import Testing

@testable import Athanor

/// Sweeps without running them: the parameter space, the trials it expands to and their keys,
/// and the checks against the experiment's schema. (Sweeps with real runs are tested through
/// the binary in tools/tests/test_sweeps.py.)
@Suite struct SweepTests {
    private let counter = ExperimentDefinition(Counter.self)

    private func definition(_ space: JSONValue, count: Int = 0, repeats: Int = 1, seed: Int = 0) throws -> SweepDefinition {
        SweepDefinition(
            name: "s", experiment: Counter.name, space: try SweepSpace(json: space), seed: seed, count: count,
            repeats: repeats)
    }

    @Test func aGridIsTheCartesianProductFirstParameterSlowest() throws {
        let trials = try definition(["steps": [1, 2], "delay_ms": ["grid": [0, 5, 10]]], repeats: 2).trials()
        #expect(trials.count == 12)
        #expect(trials.prefix(4).map { [$0.params["steps"], $0.params["delay_ms"]] } == [[1, 0], [1, 0], [1, 5], [1, 5]])
        #expect(trials.prefix(2).map(\.repeatIndex) == [0, 1])
        #expect(Set(trials.map(\.key)).count == 12)
        #expect(try definition(["steps": [1, 2], "delay_ms": [0, 5, 10]], repeats: 2).trialCount == 12)
    }

    @Test func trialKeysDependOnParametersAndRepeatNotOnOrder() {
        let forward = SweepTrialPlan(params: ["a": 1, "b": ["x": 2, "y": 3]], repeatIndex: 0)
        let backward = SweepTrialPlan(params: ["b": ["y": 3, "x": 2], "a": 1], repeatIndex: 0)
        #expect(forward.key == backward.key)
        #expect(forward.key != SweepTrialPlan(params: ["a": 1, "b": ["x": 2, "y": 3]], repeatIndex: 1).key)
        #expect(forward.key != SweepTrialPlan(params: ["a": 2, "b": ["x": 2, "y": 3]], repeatIndex: 0).key)
        #expect(forward.key.count == 19 && forward.key.hasSuffix("-r0"))
    }

    @Test func aRandomSweepExpandsToTheSameTrialsForItsSeed() throws {
        let space: JSONValue = [
            "steps": ["int": [1, 1000]], "delay_ms": ["uniform": [0, 2]], "x": ["log_uniform": [1e-5, 1e-2]],
            "y": ["choice": ["a", "b", "c"]],
        ]
        let first = try definition(space, count: 20, seed: 7).trials()
        #expect(first == (try definition(space, count: 20, seed: 7).trials()))
        #expect(first.map(\.key) != (try definition(space, count: 20, seed: 8).trials()).map(\.key))
        for trial in first {
            let steps = try #require(trial.params["steps"]?.integerValue)
            let delay = try #require(trial.params["delay_ms"]?.doubleValue)
            let x = try #require(trial.params["x"]?.doubleValue)
            #expect((1...1000).contains(steps) && (0...2).contains(delay) && (1e-5...1e-2).contains(x))
            #expect(["a", "b", "c"].contains(trial.params["y"]?.stringValue))
        }
        // Grid parameters are crossed with the draws.
        #expect(try definition(["steps": [1, 2], "delay_ms": ["int": [0, 1_000_000]]], count: 3).trials().count == 6)
    }

    @Test func aSpaceThatCannotBeReadSaysWhereAndWhy() {
        let cases: [(JSONValue, String)] = [
            ([:], "space"), ([], "space"), (["steps": []], "space.steps"), (["steps": ["uniform": [2, 1]]], "space.steps"),
            (["steps": ["log_uniform": [0, 1]]], "space.steps"), (["steps": ["normal": [0, 1]]], "space.steps"),
            (["steps": ["int": [1.5, 2]]], "space.steps"), (["": [1]], "space."), (["a..b": [1]], "space.a..b"),
        ]
        for (space, path) in cases {
            do {
                _ = try SweepSpace(json: space)
                Issue.record("\(space) was taken")
            } catch {
                guard case .invalidSweep(let problems) = error else { Issue.record("\(error)"); continue }
                #expect(problems.map(\.path) == [path], "\(space)")
            }
        }
    }

    @Test func aSweepIsCheckedAgainstTheSchemaBeforeAnythingRuns() throws {
        func problems(_ definition: SweepDefinition, force: Bool = false) -> [String] {
            do {
                _ = try ValidatedSweep(definition, experiment: counter, force: force)
                return []
            } catch {
                guard case .invalidSweep(let problems) = error else { return ["\(error)"] }
                return Array(Set(problems.map(\.path))).sorted()
            }
        }
        #expect(problems(try definition(["steps": [0, 5]])) == ["space.steps"])
        #expect(problems(try definition(["steps": ["int": [1, 5]], "delay_ms": ["uniform": [-1, 3]]], count: 2)) == ["space.delay_ms"])
        #expect(problems(try definition(["nope": [1]])) == ["space.nope"])
        #expect(problems(try definition(["steps": ["int": [1, 5]]])) == ["count"])
        var tooMany = try definition(["steps": ["grid": .array((1...101).map { .integer($0) })], "delay_ms": .array((0...99).map { .integer($0) })])
        #expect(tooMany.trialCount == 10_100)
        #expect(problems(tooMany) == ["space"])
        tooMany.space.parameters.removeLast()
        #expect(problems(tooMany, force: false) == [])
        var badBase = try definition(["steps": [1]])
        badBase.config = ["delay_ms": -1]
        #expect(problems(badBase) == ["config.delay_ms"])
        let checked = try ValidatedSweep(try definition(["steps": [2, 3]]), experiment: counter, force: false)
        #expect(checked.trials.map(\.config) == [["steps": 2, "delay_ms": 0], ["steps": 3, "delay_ms": 0]])
    }

    @Test func aSweepRequestReadsItsFieldsAndNamesEachProblem() {
        do {
            _ = try SweepRequest(json: ["name": 3, "space": [:], "concurrency": "2", "goal": "best", "extra": true])
            Issue.record("taken")
        } catch {
            guard case .invalidSweep(let problems) = error else { Issue.record("\(error)"); return }
            #expect(Set(problems.map(\.path)) == ["extra", "experiment", "name", "concurrency", "goal", "space"])
        }
    }
}
