/// Time limits given in seconds by people and agents (a run's timeout, a grace period): finite,
/// in range, and converted without overflowing the `Duration` the supervisor waits on.
public enum RunTimeout {
    /// The longest limit accepted: a year and a day.
    public static let maximumSeconds: Double = 366 * 24 * 3600

    /// The limit for `seconds`, or `nil` when it is out of range: above 0 (or 0 itself with
    /// `allowingZero`, as for a grace period) and at most ``maximumSeconds``.
    public static func duration(seconds: Double, allowingZero: Bool = false) -> Duration? {
        guard seconds.isFinite, seconds > 0 || (allowingZero && seconds == 0), seconds <= maximumSeconds else {
            return nil
        }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// `duration` in seconds, the unit people and command lines give limits in.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// What a valid limit is, for error messages.
    public static let requirement = "a number of seconds above 0 and at most \(Int(maximumSeconds)) (366 days)"
}
