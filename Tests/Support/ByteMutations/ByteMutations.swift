/// Every single-byte edit of `original`: at each position, its deletion, then for each of `bytes`
/// its insertion and its replacement (no replacement at the end, no deletion there). The suites
/// that hold two readers of the same bytes to each other (the common-line scanner and the general
/// parser, `JSONParser.members` and `parse`) compare them on these.
public func singleByteMutations(of original: [UInt8], with bytes: [UInt8]) -> [[UInt8]] {
    var mutations: [[UInt8]] = []
    mutations.reserveCapacity((original.count + 1) * (2 * bytes.count + 1))
    for position in 0...original.count {
        if position < original.count {
            var deleted = original
            deleted.remove(at: position)
            mutations.append(deleted)
        }
        for byte in bytes {
            var inserted = original
            inserted.insert(byte, at: position)
            mutations.append(inserted)
            if position < original.count {
                var replaced = original
                replaced[position] = byte
                mutations.append(replaced)
            }
        }
    }
    return mutations
}
