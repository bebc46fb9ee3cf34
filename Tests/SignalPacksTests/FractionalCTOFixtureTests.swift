import Foundation
import SignalPacks
import SiglogCore
import Testing

/// `siglog-append init` installs Fixtures/packs/fractional_cto_v1, so its numbers must be the
/// §10.5 tables exactly. The expected documents below are typed from the spec, not read from disk.
@Suite("§10.5 fractional_cto_v1 fixture values")
struct FractionalCTOFixtureTests {
    static let expectedScoring = """
        {"base_scores":{
          "momentum":{"funding_raised":35,"job_posted_engineering":10,"job_posted_infra":10,"headcount_growth":20,"launch_major":15},
          "complexity":{"api_launched":25,"ai_feature_launched":25,"enterprise_feature":20,"compliance_mentioned":15,"job_posted_infra":10,"repo_activity":15},
          "pressure":{"enterprise_customer":25,"regulatory_deadline":30,"founder_urgency_language":15,"revenue_milestone":15,"funding_raised":20},
          "leadership_gap":{"cto_role_posted":70,"fractional_request":60,"advisor_request":60,"no_cto_detected":40}},
         "quiet_signal":{"lookback_days":365,"amplified_base":{"job_posted_infra":{"M":20,"C":20},"compliance_mentioned":{"C":25},"api_launched":{"C":35}}},
         "caps":{"jobs_momentum":30,"jobs_complexity":20,"founder_urgency":30,"dimension_max":100},
         "composite_weights":{"M":0.3,"C":0.3,"P":0.25,"G":0.15},
         "decay":{
           "momentum":{"0-30":1.0,"31-60":0.7,"61-90":0.4,"91+":0.0},
           "pressure":{"0-30":1.0,"31-60":0.85,"61-120":0.6,"121+":0.2},
           "complexity":{"0-90":1.0,"91-180":0.8,"181-365":0.6,"366+":0.4}},
         "suppressors":{"cto_hired_60_days":70,"cto_hired_180_days":50},
         "minimum_threshold":0,
         "disqualifier_signals":{},
         "recommendation_bands":{"ignore_max":34,"watch_max":69,"high_priority_min":70},
         "pain_signal_weights":{"hiring_engineers":15,"switching_from_agency":10,"adding_enterprise_features":15,"compliance_security_pressure":25,"product_delivery_issues":20,"architecture_scaling_risk":15,"founder_overload":10},
         "stage_bonuses":{"scaling_team":20,"enterprise_transition":30,"struggling_execution":30}}
        """

    static let expectedESL = """
        {"cadence_cooldown_days":60,"declined_cooldown_days":180,
         "stability":{"svi_window_days":14,"spi_pressure_threshold":60,"spi_sustained_days":60,"spi_high_value":0.7,
                      "csi_silence_gap_days":30,"csi_gap_penalty":0.3,"weights":{"svi":0.4,"spi":0.35,"csi":0.25}},
         "alignment":{"ok_modifier":1.0,"not_ok_modifier":0.5,"null_modifier":1.0},
         "stability_cap_threshold":0.7,
         "recommendation_boundaries":[[0.0,"Observe Only"],[0.2,"Soft Value Share"],[0.4,"Low-Pressure Intro"],[0.7,"Standard Outreach"],[0.9,"Direct Strategic Outreach"]],
         "svi_event_types":["founder_urgency_language","regulatory_deadline","enterprise_customer","revenue_milestone","funding_raised","repo_activity"],
         "blocked_signals":[],"prohibited_combinations":[],
         "sensitivity_mapping":{"founder_urgency_language":"medium"}}
        """

    @Test("§10.5 scoring document equals the spec tables, member order included")
    func scoring() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("fractional_cto_v1"))
        #expect(pack.scoring == (try JSONParser.parse(Self.expectedScoring)))
    }

    @Test("§10.5 ESL rubric equals the spec table, member order included")
    func esl() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("fractional_cto_v1"))
        #expect(pack.eslPolicy == (try JSONParser.parse(Self.expectedESL)))
    }

    @Test("§10.5 fixture scoring and ESL equal the reference pack's analysis_weights.yaml and esl_rubric.yaml")
    func matchesReference() throws {
        let fixture = try PackLoader.load(directory: PackPaths.fixture("fractional_cto_v1"))
        let reference = try PackLoader.load(directory: try PackPaths.reference("fractional_cto_v1"))
        #expect(fixture.manifestDocument == reference.manifestDocument)
        #expect(fixture.taxonomy == reference.taxonomy)
        #expect(JSONWriter.canonical.string(fixture.scoring) == JSONWriter.canonical.string(reference.scoring))
        #expect(JSONWriter.canonical.string(fixture.eslPolicy) == JSONWriter.canonical.string(reference.eslPolicy))
    }
}
