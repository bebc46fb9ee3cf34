import Crypto
public import SiglogCore

/// The pack checksum (§10.4, D13): SHA-256, lowercase hex, over the UTF-8 bytes of
/// `JSONWriter.canonical` (sorted keys, no spaces, ASCII-escaped) applied to the pack content.
public enum PackChecksum {
    /// SHA-256 of the canonical serialization of `content`, as 64 lowercase hex digits.
    public static func sha256Hex(of content: JSONValue) -> String {
        hex(SHA256.hash(data: Array(JSONWriter.canonical.string(content).utf8)))
    }

    /// True when `text` has the form of a checksum: 64 lowercase hex digits.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Pack {
    /// The object the checksum covers: `manifest`, `taxonomy`, `scoring`, `esl_policy`,
    /// `derivers`, `playbooks`, and for v2 `prompt_bundles`.
    public var canonicalContent: JSONValue {
        var content: JSONObject = [
            "manifest": manifestDocument,
            "taxonomy": taxonomy,
            "scoring": scoring,
            "esl_policy": eslPolicy,
            "derivers": derivers,
            "playbooks": .object(playbooks),
        ]
        if let promptBundles { content["prompt_bundles"] = promptBundles }
        return .object(content)
    }

    /// `canonicalContent` as the exact string that is hashed.
    public var canonicalJSON: String { JSONWriter.canonical.string(canonicalContent) }
}
