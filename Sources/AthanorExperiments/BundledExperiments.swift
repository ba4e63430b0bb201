import Athanor

/// The experiments that ship with Athanor.
public enum BundledExperiments {
    /// `demo`, `substrate_shift` and `synthetic`.
    public static let registry = ExperimentRegistry([Demo.self, SubstrateShift.self, Synthetic.self])
}
