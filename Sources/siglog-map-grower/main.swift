// Test helper for the map-resize test: grows a store's map from another process.
//
// Usage: siglog-map-grower STORE MEGABYTES
// Opens the environment with a 1 MiB map and writes MEGABYTES of 4 KiB values into the database
// `blobs`, so the map grows well past the size another process opened it with.
import Foundation
import LMDB

let arguments = CommandLine.arguments
guard arguments.count == 3, let megabytes = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: siglog-map-grower STORE MEGABYTES\n".utf8))
    exit(2)
}
do {
    var options = Environment.Options()
    options.initialMapSize = 1 << 20
    let env = try Environment(path: arguments[1], options: options)
    let db = try env.database("blobs")
    let value = [UInt8](repeating: 0x5A, count: 4096)
    let perBatch = 256
    for batch in 0..<(megabytes * 256 / perBatch) {
        try env.write { txn in
            for i in 0..<perBatch {
                let key = withUnsafeBytes(of: UInt64(batch * perBatch + i).bigEndian) { Array($0) }
                try txn.put(db, key: key, value: value)
            }
        }
    }
    print(env.mapSize)
} catch {
    FileHandle.standardError.write(Data("siglog-map-grower: \(error)\n".utf8))
    exit(1)
}
