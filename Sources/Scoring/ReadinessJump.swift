/// The readiness-jump rule of the alert scan (§9.3): a composite that moved by at least the
/// threshold (`ALERT_DELTA_THRESHOLD`, default 15) since the day before, up or down.
public enum ReadinessJump {
    /// The default `ALERT_DELTA_THRESHOLD`.
    public static let defaultThreshold = 15

    /// `new − old` when `|new − old| >= threshold`, else nil.
    public static func delta(old: Int, new: Int, threshold: Int = defaultThreshold) -> Int? {
        let delta = new - old
        return abs(delta) >= threshold ? delta : nil
    }
}
