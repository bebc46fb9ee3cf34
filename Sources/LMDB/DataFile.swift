import CLMDB
import Glibc

/// A damaged page found while reading a data file: which page, and what is wrong with it.
public struct PageDamage: Error, Sendable, Equatable, CustomStringConvertible {
    /// The page number (its offset in the file is `page × page size`).
    public var page: Int
    /// What is wrong with it (`zero-filled`, `beyond the end of the file`, …).
    public var reason: String

    /// A damage report for `page`.
    public init(page: Int, reason: String) {
        self.page = page
        self.reason = reason
    }

    public var description: String { "page \(page): \(reason)" }
}

/// Reads an LMDB data file (`data.mdb`) page by page with `pread`, checking every page it reaches,
/// without mapping it: a damaged or truncated file gives a `PageDamage` naming the page instead
/// of the crash (SIGBUS, or LMDB's assertion abort) that following a bad page through the map can
/// cause. This is what `verify`, the writers' tail check and salvage read with.
///
/// Written here because LMDB has no checked reader: its cursors trust every page they follow. The
/// layout read is LMDB 0.9's on-disk format (64-bit page numbers): meta pages 0 and 1, then B-tree
/// branch, leaf and overflow pages, named databases as `F_SUBDATA` entries of the main database.
///
/// While another process may write, read through `Environment.withDataFile`, which holds a read
/// transaction so that no page of the snapshot read is reused meanwhile.
public final class DataFile {
    /// A database's root and size as recorded in a meta page or a catalog entry (`MDB_db`).
    public struct Tree: Sendable, Equatable {
        /// Depth of the B-tree (0 when empty).
        public var depth: Int
        /// Entries (key/value pairs) in the tree.
        public var entries: Int
        /// The root page, nil for an empty tree.
        public var root: Int?
        /// Leaf pages of the tree.
        public var leafPages: Int
    }

    /// The file's path.
    public let path: String
    /// The page size the file was written with.
    public let pageSize: Int
    /// The file's size in bytes.
    public let fileSize: Int
    /// The transaction id of the meta page read.
    public let transactionID: Int
    /// The last page number in use according to that meta page.
    public let lastPage: Int
    /// The main database: the catalog of named databases.
    public let main: Tree
    private let fd: Int32

    static let magic: UInt32 = 0xBEEF_C0DE
    static let pageHeaderSize = 16
    static let nodeHeaderSize = 8
    static let pBranch: UInt16 = 0x01, pLeaf: UInt16 = 0x02, pOverflow: UInt16 = 0x04, pMeta: UInt16 = 0x08
    static let fBigData: UInt16 = 0x01, fSubData: UInt16 = 0x02, fDupData: UInt16 = 0x04

    /// One meta page's facts.
    struct Meta {
        var pageSize: Int
        var lastPage: Int
        var transactionID: Int
        var main: Tree
    }

    /// Opens the data file at `path` (the `data.mdb` file itself) and reads its meta pages: the one
    /// of `transactionID` when given (a read transaction's snapshot), else the newest valid one,
    /// or — with `olderMeta` — the other one (the snapshot before the last commit).
    /// Throws `LMDBError` when the file cannot be opened, `PageDamage` when no meta page is valid.
    public init(path: String, transactionID wanted: Int? = nil, olderMeta: Bool = false) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LMDBError(code: errno, function: "open \(path)") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw LMDBError(code: code, function: "fstat \(path)")
        }
        self.fd = fd
        self.path = path
        self.fileSize = Int(info.st_size)
        var metas: [Meta] = []
        var problems: [PageDamage] = []
        // Meta page 0 tells the page size; meta page 1 sits one page further.
        var offset = 0
        for page in 0..<2 {
            do {
                let meta = try DataFile.readMeta(fd: fd, page: page, offset: offset, fileSize: fileSize)
                metas.append(meta)
                offset = meta.pageSize
            } catch let damage as PageDamage {
                problems.append(damage)
                if page == 0 { offset = Int(getpagesize()) }
            }
        }
        let chosen: Meta?
        if let wanted {
            chosen = metas.first { $0.transactionID == wanted }
        } else {
            let sorted = metas.sorted { $0.transactionID > $1.transactionID }
            chosen = olderMeta ? (sorted.count == 2 ? sorted[1] : nil) : sorted.first
        }
        guard let meta = chosen else {
            close(fd)
            if wanted != nil, !metas.isEmpty { throw SnapshotMoved() }
            throw problems.first ?? PageDamage(page: 1, reason: "no older meta page")
        }
        pageSize = meta.pageSize
        lastPage = meta.lastPage
        transactionID = meta.transactionID
        main = meta.main
    }

    deinit { close(fd) }

    /// Neither meta page holds the transaction asked for: a commit rewrote it meanwhile.
    struct SnapshotMoved: Error {}

    /// The first 160 bytes of the page at `offset` (a meta page's header and record), nil when the
    /// file ends before them.
    static func metaBytes(fd: Int32, offset: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 160)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 160, off_t(offset)) }
        return count == 160 ? bytes : nil
    }

    /// Whether `raw` (from `metaBytes`) is marked a meta page and carries LMDB's magic.
    static func isMetaPage(_ raw: UnsafeRawBufferPointer) -> Bool {
        raw.loadUnaligned(fromByteOffset: 10, as: UInt16.self) & pMeta != 0
            && raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self) == DataFile.magic
    }

    /// The page size a meta page declares (the first field of its free-page database record).
    static func declaredPageSize(_ raw: UnsafeRawBufferPointer) -> Int {
        Int(raw.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
    }

    /// Whether LMDB could have written `size` as a page size: a power of two from 512 to 64 KiB.
    static func isPossiblePageSize(_ size: Int) -> Bool {
        size >= 512 && size <= 65536 && size & (size - 1) == 0
    }

    private static func readMeta(fd: Int32, page: Int, offset: Int, fileSize: Int) throws -> Meta {
        guard let bytes = metaBytes(fd: fd, offset: offset) else {
            throw PageDamage(page: page, reason: "meta page beyond the end of the file (truncated)")
        }
        return try bytes.withUnsafeBytes { raw -> Meta in
            guard isMetaPage(raw) else {
                throw PageDamage(page: page, reason: "not a valid meta page (\(raw.allSatisfy { $0 == 0 } ? "zero-filled" : "bad magic"))")
            }
            let pageSize = declaredPageSize(raw)
            guard isPossiblePageSize(pageSize) else {
                throw PageDamage(page: page, reason: "meta page names an impossible page size \(pageSize)")
            }
            let main = DataFile.tree(raw, at: 88)
            let lastPage = Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: 136, as: UInt64.self))
            let txn = Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: 144, as: UInt64.self))
            return Meta(pageSize: pageSize, lastPage: lastPage, transactionID: txn, main: main)
        }
    }

    /// An `MDB_db` record at `offset`.
    static func tree(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Tree {
        let root = raw.loadUnaligned(fromByteOffset: offset + 40, as: UInt64.self)
        return Tree(depth: Int(raw.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)),
                    entries: Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: offset + 32, as: UInt64.self)),
                    root: root == UInt64.max ? nil : Int(truncatingIfNeeded: root),
                    leafPages: Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
    }

    // MARK: - Pages

    /// Reads `count` pages from `page` on, checking that they exist in the file.
    private func readPages(_ page: Int, count: Int = 1) throws -> [UInt8] {
        guard page >= 2, page <= lastPage else {
            throw PageDamage(page: page, reason: "page number out of range (the file's last page is \(lastPage))")
        }
        // Page numbers come from the file itself: a damaged one must not overflow the arithmetic.
        let (offset, offsetOverflow) = page.multipliedReportingOverflow(by: pageSize)
        let (length, lengthOverflow) = count.multipliedReportingOverflow(by: pageSize)
        let (end, endOverflow) = offset.addingReportingOverflow(length)
        guard !offsetOverflow, !lengthOverflow, !endOverflow, end <= fileSize else {
            throw PageDamage(page: page, reason: "beyond the end of the file (\(fileSize) bytes): the file is truncated")
        }
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, length - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw PageDamage(page: page, reason: "cannot be read (\(n < 0 ? String(cString: strerror(errno)) : "end of file"))") }
            done += n
        }
        return bytes
    }

    /// A branch or leaf page, checked: its header names it, its type is the one expected at its
    /// level, and every node lies inside it.
    private func treePage(_ page: Int, leaf: Bool) throws -> [UInt8] {
        let bytes = try readPages(page)
        try bytes.withUnsafeBytes { raw in
            let number = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            guard number == UInt64(page) else {
                throw PageDamage(page: page, reason: raw.allSatisfy { $0 == 0 } ? "zero-filled"
                                 : "its header names page \(number) (overwritten)")
            }
            let flags = raw.loadUnaligned(fromByteOffset: 10, as: UInt16.self)
            let expected = leaf ? DataFile.pLeaf : DataFile.pBranch
            guard flags & (DataFile.pBranch | DataFile.pLeaf | DataFile.pOverflow) == expected else {
                throw PageDamage(page: page, reason: "expected a \(leaf ? "leaf" : "branch") page, found flags 0x\(String(flags, radix: 16))")
            }
            let lower = Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt16.self))
            let upper = Int(raw.loadUnaligned(fromByteOffset: 14, as: UInt16.self))
            guard lower >= DataFile.pageHeaderSize + 2, lower <= upper, upper <= pageSize, (lower - DataFile.pageHeaderSize) % 2 == 0 else {
                throw PageDamage(page: page, reason: "impossible free-space bounds \(lower)…\(upper)")
            }
            for index in 0..<((lower - DataFile.pageHeaderSize) / 2) {
                let node = Int(raw.loadUnaligned(fromByteOffset: DataFile.pageHeaderSize + 2 * index, as: UInt16.self))
                guard node >= upper, node + DataFile.nodeHeaderSize <= pageSize else {
                    throw PageDamage(page: page, reason: "node \(index) points outside the page")
                }
                let keySize = Int(raw.loadUnaligned(fromByteOffset: node + 6, as: UInt16.self))
                var end = node + DataFile.nodeHeaderSize + keySize
                if leaf {
                    let nodeFlags = raw.loadUnaligned(fromByteOffset: node + 4, as: UInt16.self)
                    end += nodeFlags & DataFile.fBigData != 0 ? 8 : DataFile.dataSize(raw, node)
                }
                guard end <= pageSize else { throw PageDamage(page: page, reason: "node \(index) runs past the page end") }
            }
        }
        return bytes
    }

    static func dataSize(_ raw: UnsafeRawBufferPointer, _ node: Int) -> Int {
        Int(raw.loadUnaligned(fromByteOffset: node, as: UInt16.self)) | Int(raw.loadUnaligned(fromByteOffset: node + 2, as: UInt16.self)) << 16
    }

    /// The value of a leaf node stored on overflow pages, checked and copied out.
    private func overflowValue(_ page: Int, size: Int) throws -> [UInt8] {
        let first = try readPages(page)
        let (number, flags, pages) = first.withUnsafeBytes {
            ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 10, as: UInt16.self),
             Int($0.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        }
        guard number == UInt64(page), flags & DataFile.pOverflow != 0 else {
            throw PageDamage(page: page, reason: first.allSatisfy { $0 == 0 } ? "zero-filled (an overflow page)" : "not the overflow page its node names")
        }
        guard pages >= 1, DataFile.pageHeaderSize + size <= pages * pageSize else {
            throw PageDamage(page: page, reason: "overflow run of \(pages) pages cannot hold \(size) bytes")
        }
        var all = first
        if pages > 1 { all += try readPages(page + 1, count: pages - 1) }
        return Array(all[DataFile.pageHeaderSize..<(DataFile.pageHeaderSize + size)])
    }

    // MARK: - Walking

    /// Lends the entries of `tree` to `body` in key order (reverse order with `reverse`), checking
    /// every page on the way, until `body` returns false. Every entry before the first damaged page
    /// is delivered, then the damage is thrown. Keys and values are valid only inside `body`.
    public func forEach(
        in tree: Tree, reverse: Bool = false,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        guard let root = tree.root else { return }
        guard tree.depth >= 1, tree.depth <= 32 else { throw PageDamage(page: root, reason: "impossible tree depth \(tree.depth)") }
        var visited = Set<Int>()
        _ = try walk(root, level: 1, depth: tree.depth, reverse: reverse, visited: &visited, body)
    }

    /// `visited`: the pages of this tree read so far. In a sound tree every page has one parent; a
    /// damaged branch naming a page again would make the walk revisit whole subtrees (exponential
    /// in the depth), so a second visit is damage.
    private func walk(
        _ page: Int, level: Int, depth: Int, reverse: Bool, visited: inout Set<Int>,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws -> Bool {
        guard visited.insert(page).inserted else {
            throw PageDamage(page: page, reason: "reached twice in one tree (a damaged branch page points to it again)")
        }
        let leaf = level == depth
        let bytes = try treePage(page, leaf: leaf)
        let count = bytes.withUnsafeBytes { (Int($0.loadUnaligned(fromByteOffset: 12, as: UInt16.self)) - DataFile.pageHeaderSize) / 2 }
        for index in reverse ? Array((0..<count).reversed()) : Array(0..<count) {
            let more: Bool = try bytes.withUnsafeBytes { raw in
                let node = Int(raw.loadUnaligned(fromByteOffset: DataFile.pageHeaderSize + 2 * index, as: UInt16.self))
                let flags = raw.loadUnaligned(fromByteOffset: node + 4, as: UInt16.self)
                let keySize = Int(raw.loadUnaligned(fromByteOffset: node + 6, as: UInt16.self))
                let keyStart = node + DataFile.nodeHeaderSize
                if !leaf {
                    let child = DataFile.dataSize(raw, node) | Int(flags) << 32
                    return try walk(child, level: level + 1, depth: depth, reverse: reverse, visited: &visited, body)
                }
                let key = UnsafeRawBufferPointer(rebasing: raw[keyStart..<(keyStart + keySize)])
                let size = DataFile.dataSize(raw, node)
                if flags & DataFile.fBigData != 0 {
                    let overflow = Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: keyStart + keySize, as: UInt64.self))
                    let value = try overflowValue(overflow, size: size)
                    return try value.withUnsafeBytes { try body(key, $0) }
                }
                return try body(key, UnsafeRawBufferPointer(rebasing: raw[(keyStart + keySize)..<(keyStart + keySize + size)]))
            }
            if !more { return false }
        }
        return true
    }

    // MARK: - Catalog

    /// The named databases recorded in the main database, by name. Throws `PageDamage` when the
    /// catalog itself is damaged.
    public func databases() throws -> [String: Tree] {
        var result: [String: Tree] = [:]
        try forEach(in: main) { key, value in
            // Named databases are the catalog entries holding an `MDB_db` record (48 bytes).
            if value.count == 48, let name = String(validating: key, as: UTF8.self) { result[name] = DataFile.tree(value, at: 0) }
            return true
        }
        return result
    }

    /// Every intact copy of the catalog's entry for `name` found anywhere in the file, newest-looking
    /// first (most entries): when the catalog of the snapshot read is damaged, an older copy — left
    /// in a page a later commit replaced — still leads to the database's older root. Reads every page.
    public func catalogEntries(named name: String) -> [Tree] {
        var found: [Tree] = []
        let key = Array(name.utf8)
        let pages = min(lastPage, fileSize / pageSize - 1)
        guard pages >= 2 else { return [] }
        for page in 2...pages {
            guard let bytes = try? treePage(page, leaf: true) else { continue }
            bytes.withUnsafeBytes { raw in
                let count = (Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt16.self)) - DataFile.pageHeaderSize) / 2
                for index in 0..<count {
                    let node = Int(raw.loadUnaligned(fromByteOffset: DataFile.pageHeaderSize + 2 * index, as: UInt16.self))
                    let flags = raw.loadUnaligned(fromByteOffset: node + 4, as: UInt16.self)
                    let keySize = Int(raw.loadUnaligned(fromByteOffset: node + 6, as: UInt16.self))
                    guard flags & DataFile.fSubData != 0, DataFile.dataSize(raw, node) == 48, keySize == key.count,
                        raw[(node + DataFile.nodeHeaderSize)..<(node + DataFile.nodeHeaderSize + keySize)].elementsEqual(key)
                    else { continue }
                    let tree = DataFile.tree(UnsafeRawBufferPointer(rebasing: raw[(node + DataFile.nodeHeaderSize + keySize)...]), at: 0)
                    if !found.contains(tree) { found.append(tree) }
                }
            }
        }
        return found.sorted { $0.entries > $1.entries }
    }

    /// Walks every page of every database (values on overflow pages included) and throws the
    /// first damage, naming the database it is in.
    public func checkAllPages() throws -> (databases: Int, entries: Int) {
        let trees = try databases()
        var entries = 0
        for (name, tree) in trees.sorted(by: { $0.key < $1.key }) {
            do {
                try forEach(in: tree) { _, _ in
                    entries += 1
                    return true
                }
            } catch let damage as PageDamage {
                throw PageDamage(page: damage.page, reason: "\(damage.reason) (in database \(name))")
            }
        }
        return (trees.count, entries)
    }

    /// The leaf page of `tree` holding `key` (exact match), or nil. For tests and diagnostics that
    /// must find where a record lies in the file.
    public func leafPage(holding key: [UInt8], in tree: Tree) throws -> Int? {
        guard var page = tree.root else { return nil }
        for level in 1...max(tree.depth, 1) {
            let leaf = level == tree.depth
            let bytes = try treePage(page, leaf: leaf)
            let found: Int? = bytes.withUnsafeBytes { raw in
                let count = (Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt16.self)) - DataFile.pageHeaderSize) / 2
                var chosen: Int?
                for index in 0..<count {
                    let node = Int(raw.loadUnaligned(fromByteOffset: DataFile.pageHeaderSize + 2 * index, as: UInt16.self))
                    let keySize = Int(raw.loadUnaligned(fromByteOffset: node + 6, as: UInt16.self))
                    let nodeKey = Array(raw[(node + DataFile.nodeHeaderSize)..<(node + DataFile.nodeHeaderSize + keySize)])
                    if leaf {
                        if nodeKey == key { return page }
                    } else if index == 0 || !key.lexicographicallyPrecedes(nodeKey) {
                        // A branch key is the first key of its child (the first child's is empty):
                        // the child to follow is the last one whose key is not after `key`.
                        let flags = raw.loadUnaligned(fromByteOffset: node + 4, as: UInt16.self)
                        chosen = DataFile.dataSize(raw, node) | Int(flags) << 32
                    }
                }
                return leaf ? nil : chosen
            }
            guard let next = found else { return nil }
            if leaf { return next }
            page = next
        }
        return nil
    }
}

extension Environment {
    /// Reads this environment's data file with a `DataFile` at the snapshot of a read transaction
    /// held meanwhile, so another process's commits cannot reuse the pages read. The corresponding C
    /// function is `mdb_txn_id`.
    public func withDataFile<R>(_ body: (DataFile) throws -> R) throws -> R {
        let file = path + "/data.mdb"
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try read { txn in
                    let snapshot = try DataFile(path: file, transactionID: mdb_txn_id(txn.handle))
                    return try body(snapshot)
                }
            } catch is DataFile.SnapshotMoved where attempts < 100 {
                continue  // a commit rewrote that meta page between the transaction's start and the read
            }
        }
    }
}
