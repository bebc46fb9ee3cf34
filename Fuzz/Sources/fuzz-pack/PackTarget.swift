import FuzzSupport
import Scoring
import SiglogCore
import SignalPacks

/// A whole pack in one YAML document whose top-level keys stand for its files: `manifest`
/// (pack.json), `taxonomy`, `scoring`, `esl_policy`, `derivers` and `playbooks` (stem → mapping).
/// Building and validating it gives a pack or a `PackError`; a valid pack survives its stored form
/// (document → JSON → `Pack(document:)`) and yields the configurations the stages derive from it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPack(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let text = String(validating: input, as: UTF8.self),
            let files = (try? YAMLDocumentReader.read(text))?.objectValue,
            let manifest = files["manifest"]
        else { return }
        // The loader reads each file as a mapping, an absent or empty one as {}: other shapes never get here.
        func file(_ key: String) -> JSONObject? {
            switch files[key] {
            case nil, .null?: [:]
            case .object(let object)?: object
            default: nil
            }
        }
        guard let taxonomy = file("taxonomy"), let scoring = file("scoring"), let esl = file("esl_policy"),
            let derivers = file("derivers"), let playbooks = file("playbooks"),
            playbooks.allSatisfy({ $0.value.objectValue != nil })
        else { return }
        let pack: Pack
        do throws(PackError) {
            pack = try Pack(manifestDocument: manifest, taxonomy: .object(taxonomy), scoring: .object(scoring),
                            eslPolicy: .object(esl), derivers: .object(derivers), playbooks: playbooks)
            try PackValidator.validate(pack)
        } catch {
            return
        }
        let stored = JSONWriter().string(pack.document)
        let reread = (try? JSONParser.parse(stored)).flatMap { try? Pack(document: $0) }
        invariant(reread == pack, "the stored form of a valid pack does not read back: \(stored)")
        _ = (ReadinessConfig(document: pack.scoring), ESLPolicy(document: pack.eslPolicy), DeriverSet(document: pack.derivers))
    }
}
