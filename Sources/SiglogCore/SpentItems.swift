import Synchronization

/// Items a consuming thread is done with, let go on the producing thread: when the consumer sets
/// the pace and the producer has time to spare, the releases and frees of what the producer built
/// move to the producer. The consumer `add`s what it will not read again; the producer calls
/// `release` now and then (e.g. after each hand-off).
public final class SpentItems<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])

    /// An empty hand-back.
    public init() {}

    /// Hands over an item the caller will not read again.
    public func add(_ item: Item) {
        items.withLock { $0.append(item) }
    }

    /// Hands over several items the caller will not read again.
    public func add(contentsOf spent: some Sequence<Item>) {
        items.withLock { $0.append(contentsOf: spent) }
    }

    /// Lets go of everything handed over so far, on the calling thread.
    public func release() {
        var taken: [Item] = []
        items.withLock { swap(&taken, &$0) }
        taken.removeAll()
    }
}
