import Crypto

/// Secret comparison that takes the same time whatever the bytes: every token the service checks
/// goes through `ConstantTime.equals`.
///
/// Both values are hashed with SHA-256 first and the two 32-byte digests compared byte by byte
/// without an early exit, so neither the position of the first differing byte nor the length of
/// the configured secret shows in the time taken. Hand-written because the comparison must not
/// depend on how a library implements digest equality.
public enum ConstantTime {
    /// Whether `given` equals `expected`. An empty `expected` (a secret that is not configured)
    /// never matches.
    public static func equals(_ given: String, _ expected: String) -> Bool {
        let a = SHA256.hash(data: Array(given.utf8))
        let b = SHA256.hash(data: Array(expected.utf8))
        var difference: UInt8 = expected.isEmpty ? 1 : 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
