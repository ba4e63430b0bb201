import ArgumentParser
import Athanor
import AthanorJournal

/// `athanor create`: a new instance of an experiment.
struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an instance: an experiment with a name and a validated configuration.",
        discussion: """
            Fields you do not set take their defaults. The configuration is validated before anything \
            is recorded; every error is reported with its field path. Prints the new instance's ID.

            Example: athanor create demo --name "Quick demo" --set iterations=50 --set delay_ms=1
            """)

    @Argument(help: "The experiment (see `athanor experiments`).")
    var experiment: String

    @Option(help: "The instance's name.")
    var name: String

    @Option(help: "What the instance is for.")
    var description = ""

    @OptionGroup var config: ConfigArguments
    @OptionGroup(title: "What its runs ask Slurm for (over the executor's --slurm-* defaults)")
    var slurm: SlurmResourceOptions
    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let created = try data.openLab().createInstance(
            experiment: experiment, name: name, description: description, config: try config.apply(to: [:]),
            resources: slurm.isEmpty ? nil : slurm.resources)
        if output.json { try Output.json(created.json) } else { print(created.instance.instanceID) }
    }
}

/// `athanor update`: changes an instance.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change an instance's name, description, configuration or Slurm resources.",
        discussion: """
            --set changes single fields of the current configuration; --config replaces it whole. \
            The result is validated before it is recorded. Runs already made keep the configuration \
            they ran with. Each --slurm-* flag replaces that resource (--slurm-option adds one); \
            --slurm-defaults forgets them all.
            """)

    @Argument(help: "The instance's ID or a unique prefix of it.")
    var instance: String

    @Option(help: "A new name.")
    var name: String?

    @Option(help: "A new description.")
    var description: String?

    @OptionGroup var config: ConfigArguments
    @OptionGroup(title: "What its runs ask Slurm for (each flag replaces that resource)")
    var slurm: SlurmResourceOptions

    @Flag(help: "Forget the instance's own Slurm resources (the executor's defaults apply).")
    var slurmDefaults = false

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if slurmDefaults, !slurm.isEmpty {
            throw ValidationError("--slurm-defaults forgets the instance's resources; give it without other --slurm-* flags")
        }
    }

    func run() throws {
        let lab = try data.openLab()
        let current = try lab.instance(instance).listing.instance
        // Not a ternary: `nil` there would become JSONValue.null, a configuration of null.
        var newConfig: JSONValue?
        if !config.isEmpty { newConfig = try config.apply(to: current.config) }
        var resources: SlurmResources?
        if slurmDefaults { resources = SlurmResources() }
        if !slurm.isEmpty { resources = slurm.resources.merged(over: try current.slurmResources() ?? SlurmResources()) }
        let updated = try lab.updateInstance(
            instance, name: name, description: description, config: newConfig, resources: resources)
        if output.json { try Output.json(updated.json) } else { print(updated.instance.instanceID) }
    }
}

/// `athanor delete`: hides an instance.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete an instance (its journal and runs stay on disk, as the record of what happened).")

    @Argument(help: "The instance's ID or a unique prefix of it.")
    var instance: String

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let deleted = try data.openLab().deleteInstance(instance)
        if output.json { try Output.json(deleted.json) } else { print("deleted \(deleted.instance.instanceID)") }
    }
}

/// `athanor instances`: the instances and how their runs went.
struct InstancesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instances", abstract: "List instances with their run counts and last run.")

    @Flag(help: "Include deleted instances.")
    var all = false

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let listings = try data.openLab().instances(includingDeleted: all)
        if output.json {
            try Output.json(.array(listings.map(\.json)))
            return
        }
        Output.table(
            ["ID", "NAME", "EXPERIMENT", "RUNS", "LAST RUN", "STATUS"],
            listings.map { listing in
                let instance = listing.instance
                return [
                    Output.short(instance.instanceID), instance.name + (instance.isDeleted ? " (deleted)" : ""),
                    instance.experiment, "\(listing.runCount)", Output.time(listing.lastRun?.createdAt),
                    listing.lastRun?.status.rawValue ?? "-",
                ]
            })
    }
}
