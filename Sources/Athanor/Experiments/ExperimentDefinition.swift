/// An experiment every surface can list, configure and run: a Swift ``Experiment`` type, or a
/// program in another language that speaks the run protocol (see ``ProgramExperiment``).
public struct ExperimentDefinition: Sendable {
    /// Where an experiment is defined.
    public enum Source: Sendable, Equatable {
        /// A Swift type compiled into this program.
        case swift
        /// A program started for each run (a Python file, say).
        case program(ProgramExperiment)
    }

    /// The unique name instances and journals refer to.
    public let name: String
    /// One or two sentences for lists and agents.
    public let description: String
    /// The configuration it accepts.
    public let configSchema: ConfigSchema
    public let source: Source
    /// Does the work of one run (a fresh experiment each time).
    let body: @Sendable (RunContext) async throws -> Void

    /// The definition of a Swift experiment type.
    public init<Definition: Experiment>(_ type: Definition.Type) {
        name = type.name
        description = type.description
        configSchema = type.configSchema
        source = .swift
        body = { context in try await Definition().run(context) }
    }

    /// The definition of a program experiment, with what its program declared.
    public init(program: ProgramExperiment, description: String, configSchema: ConfigSchema) {
        name = program.name
        self.description = description
        self.configSchema = configSchema
        source = .program(program)
        body = { context in try await ProgramSession.run(program, in: context) }
    }

    /// The program, for an experiment that is one.
    public var program: ProgramExperiment? {
        if case .program(let program) = source { return program }
        return nil
    }
}
