public import Foundation
public import Scoring
public import SignalPacks
public import Ingest
import SiglogCore

/// An installed pack, parsed once, with the configurations every stage derives from it.
public struct ResolvedPack: Sendable {
    /// The pack's registry id.
    public let uuid: UUID
    public let pack: Pack
    public let readiness: ReadinessConfig
    public let esl: ESLPolicy
    public let derivers: DeriverSet
    public let acceptance: EventTypeAcceptance

    public init(uuid: UUID, pack: Pack) {
        self.uuid = uuid
        self.pack = pack
        readiness = ReadinessConfig(document: pack.scoring)
        esl = ESLPolicy(document: pack.eslPolicy)
        derivers = DeriverSet(document: pack.derivers)
        acceptance = EventTypeAcceptance(packSignalIDs: pack.signalIDs)
    }
}
