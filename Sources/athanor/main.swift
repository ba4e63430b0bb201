import AthanorCommandLine
import AthanorExperiments

await AthanorCLI.main(registry: BundledExperiments.registry)
