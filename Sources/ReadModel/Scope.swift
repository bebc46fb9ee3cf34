public import Foundation
public import Projections
public import SiglogCore

/// The workspace and pack a read or a stage works in (§9.4 with D20).
public struct Scope: Sendable, Hashable {
    /// The workspace: the one given, else the default workspace.
    public var workspace: UUID
    /// The pack given, else the workspace's active pack when installed, else the default pack; nil
    /// when none is installed.
    public var pack: UUID?

    /// Creates a scope as it is.
    public init(workspace: UUID, pack: UUID?) {
        self.workspace = workspace
        self.pack = pack
    }

    /// Resolves a scope. A workspace that is given must exist (`workspaceNotFound`, D20) and a
    /// pack that is given must be installed (`packNotInstalled`); without a workspace the default
    /// one is used, and §9.4's fallbacks give the pack.
    public static func resolve(workspace: UUID?, pack: UUID?, in reader: ViewReader) throws -> Scope {
        if let workspace, try reader.workspace(workspace) == nil { throw SiglogError.workspaceNotFound(workspace) }
        let ws = workspace ?? WellKnownIDs.defaultWorkspace
        if let pack {
            guard try reader.hasPack(pack) else { throw SiglogError.packNotInstalled(pack) }
            return Scope(workspace: ws, pack: pack)
        }
        return Scope(workspace: ws, pack: try workspacePack(ws, in: reader))
    }

    /// `workspacePack(ws)` (§9.4): the workspace's active pack when installed, else the default pack.
    public static func workspacePack(_ workspace: UUID, in reader: ViewReader) throws -> UUID? {
        if let row = try reader.workspace(workspace), let active = row.activePack, try reader.hasPack(active) { return active }
        return try defaultPack(in: reader)
    }

    /// The default pack: the one installed as `fractional_cto_v1` version `1` (looked up, never a
    /// hard-coded id, §0.3).
    public static func defaultPack(in reader: ViewReader) throws -> UUID? {
        try reader.packUUID(packID: WellKnownIDs.defaultPackKey.packID, version: WellKnownIDs.defaultPackKey.version)
    }

    /// Whether a record written for `recordWorkspace` is visible in this scope: records of no
    /// workspace (companies, packs) are shared; the others only in their own workspace.
    public func sees(_ recordWorkspace: UUID?) -> Bool {
        recordWorkspace == nil || recordWorkspace == workspace
    }

    /// The day a feed read uses when none is given: the latest `as_of` of the workspace's feed for
    /// the pack (the feed keeps one row per entity, from its latest build), else `today`.
    public func latestFeedDay(in reader: ViewReader, today: Day) throws -> Day {
        guard let pack else { return today }
        return try reader.latestLeadFeedDay(workspace: workspace, pack: pack) ?? today
    }
}

extension ViewReader {
    /// The id of the workspace a user names: an id as given (whether it exists is checked where the
    /// scope is resolved), or the one workspace with that name (case and surrounding spaces ignored).
    public func workspaceID(_ reference: NameOrID) throws -> UUID {
        switch reference {
        case .id(let id): return id
        case .name(let name):
            let matches = try allWorkspaces().filter { $0.name.lowercased() == name.lowercased() }
            guard let first = matches.first else { throw SiglogError.workspaceNotFound(name) }
            guard matches.count == 1 else {
                throw SiglogError.usage("several workspaces are named \(name): "
                    + matches.map(\.id.lowercased).joined(separator: ", ") + "; give the id")
            }
            return first.id
        }
    }

    /// The id of the pack a user names: an id as given, or `pack_id@version`, or a `pack_id`
    /// installed in one version only.
    public func packID(_ reference: NameOrID) throws -> UUID {
        switch reference {
        case .id(let id): return id
        case .name(let text):
            let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                guard let id = try packUUID(packID: parts[0], version: parts[1]) else { throw SiglogError.packNotInstalled(text) }
                return id
            }
            let versions = try allPacks().filter { $0.record.packID == text }
            guard let first = versions.first else { throw SiglogError.packNotInstalled(text) }
            guard versions.count == 1 else {
                throw SiglogError.usage("\(text) is installed in several versions ("
                    + versions.map(\.record.version).joined(separator: ", ") + "); name one as \(text)@VERSION")
            }
            return first.record.packUUID
        }
    }

    /// The company a reference names: by id, else by domain (the company's domain, then its
    /// website's domain); `companyNotFound` when none.
    public func company(_ reference: CompanyReference) throws -> CompanyRow {
        switch reference {
        case .id(let id):
            if let row = try company(id) { return row }
        case .domain(let domain):
            if let id = try companyID(withDomain: domain) ?? companyID(withWebsiteDomain: domain), let row = try company(id) {
                return row
            }
        }
        throw SiglogError.companyNotFound(reference)
    }
}

/// Today in UTC (D11).
public func todayUTC() -> Day { nowUTC().day }

/// The current instant (for readers: ages and "today"; writers take theirs from the runner's clock).
public func nowUTC() -> Timestamp {
    Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
}
