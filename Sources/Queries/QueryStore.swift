import EventLog
public import Foundation
import LMDB
import Pipeline
public import Projections
public import SiglogCore

/// Opening a store for queries, and the scope (workspace, pack, day) every tenant query resolves.
public enum QueryStore {
    /// Opens the store at `path` read-only (`MDB_RDONLY`).
    ///
    /// A store in a directory this process cannot write (a read-only mount, a backup owned by someone
    /// else) cannot have its lock file created or opened for writing, so LMDB refuses to open it with
    /// `EACCES`/`EROFS`. Then the store is opened again with `MDB_NOLOCK`. The trade-off: without the
    /// lock file this reader is invisible to writers, so a writer appending at the same time may reuse
    /// pages this reader still sees and the reader can observe a torn snapshot. That cannot happen
    /// when nobody can write the directory — the usual reason the lock file is unwritable — and
    /// otherwise it is the only way to read at all.
    public static func open(path: String) throws -> Store {
        do {
            return try Store(path: path, mode: .readOnly)
        } catch let error as LMDBError where error.code == EACCES || error.code == EROFS {
            return try Store(path: path, mode: .readOnly, noLock: true)
        }
    }
}

/// The workspace and pack a query reads, checked against the store.
public struct QueryScope: Sendable, Hashable {
    public var workspace: UUID
    /// The given pack, else the workspace's active pack, else the default pack; nil when none is installed.
    public var pack: UUID?

    /// Resolves the scope: an unknown workspace or an uninstalled pack is "not found".
    public static func resolve(workspace: UUID?, pack: UUID?, in reader: ViewReader) throws -> QueryScope {
        let ws = workspace ?? WellKnownIDs.defaultWorkspace
        guard try reader.workspace(ws) != nil else {
            throw PipelineError(.notFound, "workspace \(ws.lowercased) not found")
        }
        if let pack {
            guard try reader.pack(pack) != nil else { throw PipelineError(.notFound, "pack \(pack.lowercased) not found") }
            return QueryScope(workspace: ws, pack: pack)
        }
        return QueryScope(workspace: ws, pack: try Self.workspacePack(ws, in: reader))
    }

    /// `workspacePack(ws)` (§9.4): the workspace's active pack when installed, else the default pack.
    static func workspacePack(_ ws: UUID, in reader: ViewReader) throws -> UUID? {
        if let row = try reader.workspace(ws), let active = row.activePack, try reader.pack(active) != nil { return active }
        return try reader.packUUID(packID: WellKnownIDs.defaultPackKey.packID, version: WellKnownIDs.defaultPackKey.version)
    }

    /// Whether a record written for `recordWorkspace` is visible in this scope: records of no
    /// workspace (companies, packs) are shared; the others only in their own workspace.
    public func sees(_ recordWorkspace: UUID?) -> Bool {
        recordWorkspace == nil || recordWorkspace == workspace
    }

    /// The day a feed query reads when none is given: the latest `as_of` of the workspace's feed for
    /// the pack (the feed keeps one row per entity, from its latest build), else today in UTC.
    public func latestFeedDay(in reader: ViewReader, today: Day) throws -> Day {
        guard let pack else { return today }
        var latest: Day?
        try reader.scanBackward(reader.views.leadFeedRank, prefix: ViewKey().appending(workspace).appending(pack)) { key, _ in
            var r = ViewKeyReader(key)
            _ = r.uuid(); _ = r.uuid()
            latest = r.day()
            return false
        }
        return latest ?? today
    }
}

/// Today in UTC (D11).
public func todayUTC() -> Day {
    Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)).day
}

/// A company named by id or by domain, or "not found".
public func resolveCompany(_ text: String, in reader: ViewReader) throws -> CompanyRow {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let id = Int64(trimmed) {
        guard let row = try reader.company(id) else { throw PipelineError(.notFound, "company \(id) not found") }
        return row
    }
    let domain = trimmed.lowercased()
    if let id = try reader.companyID(withDomain: domain) ?? reader.companyID(withWebsiteDomain: domain),
        let row = try reader.company(id)
    {
        return row
    }
    throw PipelineError(.notFound, "company \(trimmed) not found")
}
