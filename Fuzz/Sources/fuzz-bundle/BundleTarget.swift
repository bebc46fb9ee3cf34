import FuzzSupport
import Ingest
import SiglogCore

/// The evidence-bundle file of `siglog-append bundle add`. `EvidenceBundle.parse` gives a bundle
/// or an `EvidenceBundleError`; an accepted bundle's events all read as raw events (the file was
/// checked whole), each with the bundle's company, and the bundle written back as JSON (what the
/// log keeps) parses to the same bundle.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundle(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        let bundle: EvidenceBundle
        do throws(EvidenceBundleError) {
            bundle = try EvidenceBundle.parse(Array(input))
        } catch {
            invariant(!error.reason.isEmpty, "an error without a reason")
            return
        }
        let events: [RawEvent]
        do throws(EvidenceBundleError) {
            events = try bundle.rawEvents()
        } catch {
            invariant(false, "an accepted bundle's event does not read: \(error)")
            return
        }
        invariant(events.count == bundle.events.count, "\(events.count) events read of \(bundle.events.count)")
        invariant(events.allSatisfy { $0.companyName == bundle.companyName }, "an event with another company")
        var object: JSONObject = ["company_name": .string(bundle.companyName), "events": .array(bundle.events.map(JSONValue.object))]
        if let id = bundle.id { object["id"] = .string(id) }
        if let domain = bundle.domain { object["domain"] = .string(domain) }
        if let website = bundle.websiteURL { object["website_url"] = .string(website) }
        if let profile = bundle.companyProfileURL { object["company_profile_url"] = .string(profile) }
        if let reason = bundle.reason { object["reason"] = .string(reason) }
        do throws(EvidenceBundleError) {
            let again = try EvidenceBundle.parse(Array(JSONWriter().string(.object(object)).utf8))
            invariant(again == bundle, "the bundle written back parses to another bundle")
        } catch {
            invariant(false, "the bundle written back is refused: \(error)")
        }
    }
}
