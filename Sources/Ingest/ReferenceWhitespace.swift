/// The ingest rules' notion of whitespace, for the modules that build raw events (the source
/// adapters trim and split exactly as normalization does).
extension Unicode.Scalar {
    /// Whether this scalar is whitespace as the reference's Python `str.strip()` and regex `\s` see it.
    public var isReferenceWhitespace: Bool { Text.isWhitespace(self) }
}

extension String {
    /// This text without leading and trailing whitespace, as the reference's Python `str.strip()` trims.
    public var trimmingReferenceWhitespace: String { Text.trimmed(self) }
}
