import AthanorJournal
import Foundation

extension Lab {
    // MARK: What a run recorded

    /// A page of the run `prefix`'s log lines that pass `filter` (level, text, `seq` range),
    /// from a cached read of its journal: paging through a million lines reads it once.
    public func logs(of prefix: String, filter: LogFilter = LogFilter(), window: PageWindow) async throws(HarnessError)
        -> LogPage
    {
        let entry = try run(prefix)
        let (data, matches): (RunDataCache.RunData, [Int])
        do {
            (data, matches) = try await runData.matches(in: entry, filter: filter)
        } catch {
            throw .storage(path: entry.currentFilePath, reason: "\(error)")
        }
        return LogPage(
            run: entry, total: data.logs.count, matched: matches.count,
            entries: window.apply(to: matches).map { data.logs[$0] }, failure: data.failure)
    }

    /// A page of the run `prefix`'s results (one per key, its latest value) after `afterSeq`,
    /// only `key`'s when given.
    public func results(of prefix: String, key: String? = nil, afterSeq: Int = 0, window: PageWindow)
        async throws(HarnessError) -> ResultPage
    {
        let entry = try run(prefix)
        let results: RunResults
        do {
            results = try await runData.data(for: entry).results
        } catch {
            throw .storage(path: entry.currentFilePath, reason: "\(error)")
        }
        let matching = results.entries.filter { $0.seq > afterSeq && (key == nil || $0.key == key) }
        return ResultPage(
            run: entry, total: results.entries.count, matched: matching.count,
            entries: Array(window.apply(to: matching)))
    }

    /// Every result event of the run `prefix` in order (a key recorded twice appears twice), only
    /// `key`'s when given. Lines that cannot be read are skipped: the run's summary lists them.
    public func resultHistory(of prefix: String, key: String? = nil) throws(HarnessError) -> (
        run: Catalog.RunEntry, entries: [RunResults.Entry]
    ) {
        let entry = try run(prefix)
        var entries: [RunResults.Entry] = []
        do {
            try JournalReader<RunEvent>(path: entry.journalPath).forEachEvent { event in
                guard case .result(let resultKey, let value) = event.payload, key == nil || key == resultKey else {
                    return
                }
                entries.append(RunResults.Entry(seq: event.seq, timestamp: event.timestamp, key: resultKey, value: value))
            }
        } catch {
            throw .journal(error)
        }
        return (entry, entries)
    }

    /// The run `prefix` as it was after event `seq` (now, when `nil`), with the last
    /// `timelineLimit` events of its timeline.
    public func replay(
        _ prefix: String, at seq: Int?, timelineLimit: Int = 0, onProblem: (JournalProblem) -> Void = { _ in }
    ) throws(HarnessError) -> RunReplay {
        let journal = try run(prefix).journalPath
        do {
            return try RunReplay.read(journal: journal, at: seq, timelineLimit: timelineLimit, onProblem: onProblem)
        } catch {
            throw .journal(error)
        }
    }

    // MARK: Following

    /// The run `prefix`'s journal lines from `seq` on, as they are written, each as it is on disk
    /// (unknown types and fields included); every reader of one run shares one follower.
    public func runEvents(of prefix: String, from seq: Int = 1) throws(HarnessError)
        -> SharedFollowerReader<RunEventLine>
    {
        eventFollowers.follow(try run(prefix).journalPath, from: seq)
    }

    /// The run `prefix`'s events, decoded, as they are written, until it ends.
    public func follow(_ prefix: String, onProblem: (@Sendable (JournalProblem) -> Void)? = nil)
        throws(HarnessError) -> TailFollower<RunEvent>
    {
        TailFollower<RunEvent>(path: try run(prefix).journalPath, onProblem: onProblem)
    }

    // MARK: Checking and repairing

    /// Closes every run whose writer died (`run_failed`, "interrupted"), finishes interrupted
    /// closes and removes what a dead writer left empty; says what it did to each journal.
    public func recoverDeadRuns() throws(HarnessError) -> [JournalRecovery.Outcome] {
        guard FileManager.default.fileExists(atPath: data.runsPath) else { return [] }
        let outcomes: [JournalRecovery.Outcome]
        do {
            outcomes = try JournalRecovery.recoverRuns(under: data.runsPath)
        } catch {
            throw .storage(path: data.runsPath, reason: "\(error)")
        }
        supervisor.resumeScheduled(ScheduledRuns.found(in: outcomes))
        if catalog.hasRead { changes.refreshAndBroadcast() }
        return outcomes
    }

    /// The journals `targets` names (files, directories searched recursively, or run IDs), or
    /// every journal of the data directory when it names none, each checked (see
    /// ``JournalVerifier``). Nothing is repaired.
    public func verify(_ targets: [String]) throws(HarnessError) -> [JournalVerifier.Report] {
        var journals: [String] = []
        do {
            for target in targets.isEmpty ? [data.path] : targets {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) {
                    journals += isDirectory.boolValue ? try JournalVerifier.journals(under: target) : [target]
                } else if JournalFile.isJournalName((target as NSString).lastPathComponent) {
                    journals.append(target)
                } else {
                    journals.append(try run(target).journalPath)
                }
            }
        } catch let error as HarnessError {
            throw error
        } catch {
            throw .storage(path: data.path, reason: "\(error)")
        }
        return journals.map(JournalVerifier.verify(path:))
    }
}
