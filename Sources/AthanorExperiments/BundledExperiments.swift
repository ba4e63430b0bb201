import Athanor

/// The experiments that ship with Athanor.
public enum BundledExperiments {
    /// `demo`.
    public static let registry = ExperimentRegistry([Demo.self])
}
