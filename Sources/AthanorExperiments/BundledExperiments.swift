import Athanor

/// The experiments that ship with Athanor.
public enum BundledExperiments {
    /// `demo` and `substrate_shift`.
    public static let registry = ExperimentRegistry([Demo.self, SubstrateShift.self])
}
