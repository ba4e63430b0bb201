import AthanorJournal
import Foundation

/// One run to execute: its journal (which already holds `run_created`) and what it runs.
public struct RunAssignment: Sendable {
    public var runID: String
    public var instanceID: String
    public var experiment: String
    /// The validated configuration recorded in `run_created`.
    public var config: JSONValue
    /// The run journal's plain path.
    public var journalPath: String
    /// The journal's writer lock, held from creation until the run has ended so the journal is
    /// never unlocked between the supervisor and its worker (`nil`: the executor takes it).
    public var lease: JournalLease?
    /// A wall-clock limit for this run, overriding the executor's.
    public var timeout: Duration?
    /// The program to start, for an experiment that is one (a worker is told where it is).
    public var program: ProgramExperiment?
    /// What the instance asks a scheduler for, over the executor's defaults (`nil`: only those).
    public var resources: SlurmResources?

    public init(
        runID: String, instanceID: String, experiment: String, config: JSONValue, journalPath: String,
        lease: JournalLease? = nil
    ) {
        self.runID = runID
        self.instanceID = instanceID
        self.experiment = experiment
        self.config = config
        self.journalPath = journalPath
        self.lease = lease
    }

    /// Creates a run of the Swift experiment `experiment` (see the overload for any definition).
    public static func create<Definition: Experiment>(
        in data: DataDirectory, instanceID: String, instanceName: String, experiment: Definition.Type,
        config: JSONValue, executor: String
    ) throws(HarnessError) -> RunAssignment {
        try create(
            in: data, instanceID: instanceID, instanceName: instanceName, experiment: ExperimentDefinition(experiment),
            config: config, executor: executor)
    }

    /// Creates a run of `experiment` for an instance: validates `config` and writes the journal's
    /// `run_created` (fsync'ed). The assignment keeps the journal's lease for the executor.
    /// - Throws: ``HarnessError/invalidConfig(experiment:_:)`` (nothing is written) or a journal error.
    public static func create(
        in data: DataDirectory, instanceID: String, instanceName: String, experiment: ExperimentDefinition,
        config: JSONValue, executor: String, trial: SweepTrial? = nil
    ) throws(HarnessError) -> RunAssignment {
        let validated: JSONValue
        do {
            validated = try experiment.configSchema.validated(config)
        } catch {
            throw .invalidConfig(experiment: experiment.name, error)
        }
        let runID = Identifier.generate()
        let path = data.runJournal(instance: instanceID, run: runID)
        let lease: JournalLease
        do {
            try data.prepare()
            try FileManager.default.createDirectory(
                atPath: data.runsDirectory(of: instanceID), withIntermediateDirectories: true)
            lease = try JournalLease.create(path)
            // Only `run_created` here; the executor's writer records the rest and compresses.
            let writer = try JournalWriter<RunEvent>(lease: lease, options: .init(compressOnClose: false))
            defer { try? writer.close() }
            try writer.append(
                .created(
                    RunCreated(
                        run: runID, instance: instanceID, instanceName: instanceName, experiment: experiment.name,
                        config: validated, executor: executor, trial: trial)))
        } catch let error as JournalError {
            throw .journal(error)
        } catch {
            throw .storage(path: data.runsDirectory(of: instanceID), reason: "\(error)")
        }
        var assignment = RunAssignment(
            runID: runID, instanceID: instanceID, experiment: experiment.name, config: validated, journalPath: path,
            lease: lease)
        assignment.program = experiment.program
        return assignment
    }
}
