/// A run's time limit as the API and agents give it: seconds, above 0 and at most a year (a
/// larger or non-finite number would overflow the `Duration` the supervisor waits on).
enum RunTimeout {
    static let maximumSeconds: Double = 366 * 24 * 3600

    /// The limit for `seconds`, or `nil` when it is out of range.
    static func duration(seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds > 0, seconds <= maximumSeconds else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// What a valid limit is, for error messages.
    static let requirement = "a number of seconds above 0 and at most \(Int(maximumSeconds)) (366 days)"
}
