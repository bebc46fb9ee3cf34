public import SiglogCore

/// The readiness explain (§4.7): what the composite of one snapshot is made of. Typed everywhere;
/// `json` renders the spec's payload (keys in its order) when it is printed or served.
public struct ReadinessExplain: Sendable, Hashable {
    /// The composite weights as the pack gives them (ints stay ints), else the built-in map.
    public var weights: JSONObject
    /// The snapshot's momentum (M).
    public var momentum: Int
    /// The snapshot's complexity (C).
    public var complexity: Int
    /// The snapshot's pressure (P).
    public var pressure: Int
    /// The snapshot's leadership gap (G).
    public var leadershipGap: Int
    /// The snapshot's composite (R).
    public var composite: Int
    /// The contributions of §4.6, largest first.
    public var topEvents: [ReadinessTopEvent]
    /// Suppressors applied (the company-status suppressor, D10).
    public var suppressorsApplied: [String]
    /// Quiet-table types present when there was no recent funding; empty: the key is left out.
    public var quietSignalAmplificationApplied: [String]
    /// Disqualifying event types that fired; empty: the key is left out.
    public var disqualifiersApplied: [String]
    /// The pack's minimum threshold; 0: the key is left out.
    public var minimumThreshold: Int
    /// The band of the composite when the pack defines valid bands.
    public var recommendationBand: RecommendationBand?
    /// Composite minus the previous day's composite of the same company and pack (0 when none).
    public var delta1d: Int

    /// Creates an explain.
    public init(
        weights: JSONObject, momentum: Int, complexity: Int, pressure: Int, leadershipGap: Int, composite: Int,
        topEvents: [ReadinessTopEvent], suppressorsApplied: [String], quietSignalAmplificationApplied: [String],
        disqualifiersApplied: [String], minimumThreshold: Int, recommendationBand: RecommendationBand?, delta1d: Int
    ) {
        self.weights = weights
        self.momentum = momentum
        self.complexity = complexity
        self.pressure = pressure
        self.leadershipGap = leadershipGap
        self.composite = composite
        self.topEvents = topEvents
        self.suppressorsApplied = suppressorsApplied
        self.quietSignalAmplificationApplied = quietSignalAmplificationApplied
        self.disqualifiersApplied = disqualifiersApplied
        self.minimumThreshold = minimumThreshold
        self.recommendationBand = recommendationBand
        self.delta1d = delta1d
    }

    /// `event_type` of the first 8 top events, de-duplicated in order, blanks skipped: the lead
    /// feed's `top_signal_ids` (§7.1).
    public var topSignalIDs: [String] {
        var ids: [String] = []
        for event in topEvents.prefix(8) where !event.eventType.allSatisfy(\.isWhitespace) && !ids.contains(event.eventType) {
            ids.append(event.eventType)
        }
        return ids
    }

    /// The §4.7 payload: `weights, dimensions {M, C, P, G, R}, top_events, suppressors_applied`,
    /// then the optional keys, then `delta_1d`.
    public var json: JSONValue {
        var object = JSONObject()
        object["weights"] = .object(weights)
        object["dimensions"] = .object([
            "M": .int(Int64(momentum)), "C": .int(Int64(complexity)), "P": .int(Int64(pressure)),
            "G": .int(Int64(leadershipGap)), "R": .int(Int64(composite)),
        ])
        object["top_events"] = .array(topEvents.map(\.json))
        object["suppressors_applied"] = .array(suppressorsApplied.map(JSONValue.string))
        if !quietSignalAmplificationApplied.isEmpty {
            object["quiet_signal_amplification_applied"] = .array(quietSignalAmplificationApplied.map(JSONValue.string))
        }
        if !disqualifiersApplied.isEmpty { object["disqualifiers_applied"] = .array(disqualifiersApplied.map(JSONValue.string)) }
        if minimumThreshold != 0 { object["minimum_threshold"] = .int(Int64(minimumThreshold)) }
        if let recommendationBand { object["recommendation_band"] = .string(recommendationBand.rawValue) }
        object["delta_1d"] = .int(Int64(delta1d))
        return .object(object)
    }

    /// Reads a §4.7 payload (explains stored as documents by earlier versions, and the spec's test
    /// vectors). Missing keys read as absent; a band that is not a valid one reads as none.
    public init(json: JSONValue) {
        let dimensions = json["dimensions"]
        func int(_ value: JSONValue?) -> Int { value?.numberValue.map { Int($0) } ?? 0 }
        func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(
            weights: json["weights"]?.objectValue ?? JSONObject(), momentum: int(dimensions?["M"]),
            complexity: int(dimensions?["C"]), pressure: int(dimensions?["P"]), leadershipGap: int(dimensions?["G"]),
            composite: int(dimensions?["R"]),
            topEvents: (json["top_events"]?.arrayValue ?? []).compactMap(ReadinessTopEvent.init(json:)),
            suppressorsApplied: strings(json["suppressors_applied"]),
            quietSignalAmplificationApplied: strings(json["quiet_signal_amplification_applied"]),
            disqualifiersApplied: strings(json["disqualifiers_applied"]), minimumThreshold: int(json["minimum_threshold"]),
            recommendationBand: json["recommendation_band"]?.stringValue.flatMap(RecommendationBand.init(rawValue:)),
            delta1d: int(json["delta_1d"]))
    }
}

extension ReadinessTopEvent {
    /// Reads one `top_events` entry of a §4.7 payload; nil when it has no type or no readable time.
    public init?(json: JSONValue) {
        guard let type = json["event_type"]?.stringValue, let time = json["event_time"]?.stringValue.flatMap(Timestamp.init(iso:))
        else { return nil }
        self.init(
            eventType: type, eventTime: time, source: json["source"]?.stringValue ?? "", url: json["url"]?.stringValue ?? "",
            contributionPoints: json["contribution_points"]?.numberValue ?? 0, confidence: json["confidence"]?.numberValue ?? 0)
    }
}

/// The engagement explain (§5.5): the components of one ESL score and the gate's decision. Typed
/// everywhere; `json` renders the spec's payload when it is printed or served.
public struct EngagementExplain: Sendable, Hashable {
    /// BE.
    public var baseEngageability: Double
    /// SM.
    public var stabilityModifier: Double
    /// CM.
    public var cadenceModifier: Double
    /// AM.
    public var alignmentModifier: Double
    /// SVI.
    public var svi: Double
    /// SPI.
    public var spi: Double
    /// CSI.
    public var csi: Double
    /// ESL.
    public var eslComposite: Double
    /// Whether the cadence modifier blocked outreach.
    public var cadenceBlocked: Bool
    /// The recommendation label.
    public var recommendationType: String
    /// Whether the stability cap lowered the recommendation.
    public var stabilityCapTriggered: Bool
    /// `allow`, `allow_with_constraints` or `suppress` (nil only in explains that lack it).
    public var eslDecision: String?
    /// The gate's reason code.
    public var eslReasonCode: String?
    /// `low`, `medium`, `high` or nil.
    public var sensitivityLevel: String?
    /// The downgrade rule's `max_recommendation` for `allow_with_constraints`.
    public var toneConstraint: String?

    /// Creates an explain.
    public init(
        baseEngageability: Double, stabilityModifier: Double, cadenceModifier: Double, alignmentModifier: Double,
        svi: Double, spi: Double, csi: Double, eslComposite: Double, cadenceBlocked: Bool, recommendationType: String,
        stabilityCapTriggered: Bool, eslDecision: String?, eslReasonCode: String?, sensitivityLevel: String?,
        toneConstraint: String?
    ) {
        self.baseEngageability = baseEngageability
        self.stabilityModifier = stabilityModifier
        self.cadenceModifier = cadenceModifier
        self.alignmentModifier = alignmentModifier
        self.svi = svi
        self.spi = spi
        self.csi = csi
        self.eslComposite = eslComposite
        self.cadenceBlocked = cadenceBlocked
        self.recommendationType = recommendationType
        self.stabilityCapTriggered = stabilityCapTriggered
        self.eslDecision = eslDecision
        self.eslReasonCode = eslReasonCode
        self.sensitivityLevel = sensitivityLevel
        self.toneConstraint = toneConstraint
    }

    /// The §5.5 payload, keys in the spec's order; `weights` are always 1.0.
    public var json: JSONValue {
        .object([
            "base_engageability": .double(baseEngageability),
            "stability_modifier": .double(stabilityModifier),
            "cadence_modifier": .double(cadenceModifier),
            "alignment_modifier": .double(alignmentModifier),
            "svi": .double(svi),
            "spi": .double(spi),
            "csi": .double(csi),
            "esl_composite": .double(eslComposite),
            "cadence_blocked": .bool(cadenceBlocked),
            "recommendation_type": .string(recommendationType),
            "stability_cap_triggered": .bool(stabilityCapTriggered),
            "weights": .object(["be": 1.0, "sm": 1.0, "cm": 1.0, "am": 1.0]),
            "esl_decision": eslDecision.map(JSONValue.string) ?? .null,
            "esl_reason_code": eslReasonCode.map(JSONValue.string) ?? .null,
            "sensitivity_level": sensitivityLevel.map(JSONValue.string) ?? .null,
            "tone_constraint": toneConstraint.map(JSONValue.string) ?? .null,
        ])
    }

    /// Reads a §5.5 payload (explains stored as documents by earlier versions, and the spec's test
    /// vectors, which may give only some keys). Missing numbers read as 0, missing texts as nil.
    public init(json: JSONValue) {
        func number(_ key: String) -> Double { json[key]?.numberValue ?? 0 }
        self.init(
            baseEngageability: number("base_engageability"), stabilityModifier: number("stability_modifier"),
            cadenceModifier: number("cadence_modifier"), alignmentModifier: number("alignment_modifier"),
            svi: number("svi"), spi: number("spi"), csi: number("csi"), eslComposite: number("esl_composite"),
            cadenceBlocked: json["cadence_blocked"]?.boolValue ?? false,
            recommendationType: json["recommendation_type"]?.stringValue ?? "",
            stabilityCapTriggered: json["stability_cap_triggered"]?.boolValue ?? false,
            eslDecision: json["esl_decision"]?.stringValue, eslReasonCode: json["esl_reason_code"]?.stringValue,
            sensitivityLevel: json["sensitivity_level"]?.stringValue, toneConstraint: json["tone_constraint"]?.stringValue)
    }
}
