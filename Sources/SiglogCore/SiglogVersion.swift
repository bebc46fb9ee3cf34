/// The version of siglog, as the tools report it and as outgoing requests name their client
/// (`User-Agent: siglog/<version>`).
public enum SiglogVersion {
    /// The current version.
    public static let current = "0.2.0"
}
