import CNATS
import Foundation

/// How a stream is created: replicated, file-backed, kept until deleted, de-duplicating publishes
/// that carry a message id within `duplicateWindowSeconds`.
public struct StreamSettings: Sendable, Equatable {
    /// The stream name.
    public var name: String
    /// The subjects it stores.
    public var subjects: [String]
    /// Copies kept by the cluster (Raft); a majority must store a message before it is acknowledged.
    public var replicas: Int
    /// How long the stream remembers message ids to drop a re-publish.
    public var duplicateWindowSeconds: Int

    /// A stream setting.
    public init(name: String, subjects: [String], replicas: Int, duplicateWindowSeconds: Int = 120) {
        self.name = name
        self.subjects = subjects
        self.replicas = replicas
        self.duplicateWindowSeconds = duplicateWindowSeconds
    }
}

/// A stream's configuration and state as the server reports them.
public struct StreamState: Sendable, Equatable {
    /// The stream name.
    public var name: String
    /// Its subjects.
    public var subjects: [String]
    /// Its replica count.
    public var replicas: Int
    /// Messages stored.
    public var messages: UInt64
    /// Sequence of the first and last stored message (0 when empty).
    public var firstSequence: UInt64
    /// Sequence of the last stored message (0 when empty).
    public var lastSequence: UInt64
    /// When the last message was stored (nanoseconds since the epoch).
    public var lastTimeNanoseconds: Int64
}

/// A durable pull consumer: explicit acks, every message of `filterSubject` from the start of the stream.
public struct ConsumerSettings: Sendable, Equatable {
    /// The durable name: the server keeps the consumer's position under it.
    public var durableName: String
    /// The subject it reads.
    public var filterSubject: String
    /// How long a delivered message may stay unacknowledged before it is delivered again.
    public var ackWaitMilliseconds: Int64
    /// The most messages delivered and not yet acknowledged.
    public var maxAckPending: Int

    /// A consumer setting.
    public init(durableName: String, filterSubject: String, ackWaitMilliseconds: Int64 = 30_000, maxAckPending: Int = 20_000) {
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.ackWaitMilliseconds = ackWaitMilliseconds
        self.maxAckPending = maxAckPending
    }
}

/// A consumer's position as the server reports it.
public struct ConsumerState: Sendable, Equatable {
    /// The consumer's name.
    public var name: String
    /// The stream sequence below which (inclusive) every message is acknowledged.
    public var ackFloorStreamSequence: UInt64
    /// When the ack floor last moved (nanoseconds since the epoch, 0 when never).
    public var ackFloorTimeNanoseconds: Int64
    /// The last stream sequence delivered.
    public var deliveredStreamSequence: UInt64
    /// Messages delivered and not yet acknowledged.
    public var ackPending: Int64
    /// Messages of its subject not yet delivered.
    public var pending: UInt64
}

/// The outcome of one asynchronous publish, reported by the server (or a time-out).
public struct PublishOutcome: Sendable, Equatable {
    /// The message id it was published with.
    public var messageID: String
    /// The stream sequence it was stored at (0 on failure).
    public var streamSequence: UInt64
    /// Whether the server dropped it as a re-publish of a message id it already holds.
    public var duplicate: Bool
    /// Why it failed, nil when the stream stored it (or already held it).
    public var failure: String?
}

/// A JetStream context on a connection: stream and consumer administration, reads by sequence,
/// asynchronous publishes with message ids (at most `maxPendingPublishes` in flight, each outcome
/// handed to `onPublish` on a library thread), and pull consumers.
public final class JetStream: @unchecked Sendable {
    let handle: OpaquePointer
    /// The connection it uses (kept alive as long as the context).
    public let connection: NATSConnection
    private let sink: PublishSink?
    private let publishTimeoutMilliseconds: Int64

    /// Creates a context. `onPublish`, when given, receives every asynchronous publish's outcome.
    public init(connection: NATSConnection, requestTimeoutMilliseconds: Int64 = 5_000, maxPendingPublishes: Int = 4_096,
                publishTimeoutMilliseconds: Int64 = 10_000, onPublish: (@Sendable (PublishOutcome) -> Void)? = nil) throws {
        self.connection = connection
        self.publishTimeoutMilliseconds = publishTimeoutMilliseconds
        var options = jsOptions()
        try check(jsOptions_Init(&options), "jsOptions_Init")
        options.Wait = requestTimeoutMilliseconds
        options.PublishAsync.MaxPending = Int64(maxPendingPublishes)
        // A publish waits for room among the in-flight messages instead of failing quickly.
        options.PublishAsync.StallWait = publishTimeoutMilliseconds
        let sink = onPublish.map(PublishSink.init)
        if let sink {
            options.PublishAsync.AckHandler = { _, message, ack, failure, closure in
                handlePublishOutcome(message, ack, failure, closure)
            }
            // Retained for good: the library may still call back while the context is torn down.
            options.PublishAsync.AckHandlerClosure = Unmanaged.passRetained(sink).toOpaque()
        }
        self.sink = sink
        var context: OpaquePointer?
        try check(natsConnection_JetStream(&context, connection.handle, &options), "natsConnection_JetStream")
        handle = context!
    }

    deinit { jsCtx_Destroy(handle) }

    // MARK: - Streams

    /// Creates the stream when it does not exist; returns its state and whether it was created.
    public func addStreamIfMissing(_ settings: StreamSettings) throws -> (state: StreamState, created: Bool) {
        if let existing = try streamState(settings.name) { return (existing, false) }
        var config = jsStreamConfig()
        try check(jsStreamConfig_Init(&config), "jsStreamConfig_Init")
        let name = strdup(settings.name)
        defer { free(name) }
        var subjects: [UnsafePointer<CChar>?] = settings.subjects.map { UnsafePointer(strdup($0)) }
        defer { subjects.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = subjects.withUnsafeMutableBufferPointer { list -> natsStatus in
            config.Name = UnsafePointer(name)
            config.Subjects = list.baseAddress
            config.SubjectsLen = Int32(list.count)
            config.Storage = js_FileStorage
            config.Replicas = Int64(settings.replicas)
            config.Duplicates = Int64(settings.duplicateWindowSeconds) * 1_000_000_000
            return js_AddStream(&info, handle, &config, nil, &code)
        }
        if status != NATS_OK && code == JSStreamNameExistErr, let existing = try streamState(settings.name) {
            return (existing, false)  // created meanwhile by another client
        }
        try check(status, "create stream \(settings.name)", code)
        defer { jsStreamInfo_Destroy(info) }
        return (StreamState(info!.pointee), true)
    }

    /// The stream's configuration and state, nil when there is no such stream.
    public func streamState(_ name: String) throws -> StreamState? {
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetStreamInfo(&info, handle, name, nil, &code)
        if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr { return nil }
        try check(status, "stream info \(name)", code)
        defer { jsStreamInfo_Destroy(info) }
        return StreamState(info!.pointee)
    }

    /// The last message stored on `subject`, nil when there is none.
    public func lastMessage(stream: String, subject: String) throws -> StoredMessage? {
        var message: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetLastMsg(&message, handle, stream, subject, nil, &code)
        if status == NATS_NOT_FOUND || code == JSNoMessageFoundErr { return nil }
        try check(status, "last message of \(subject)", code)
        defer { natsMsg_Destroy(message) }
        return StoredMessage(message!)
    }

    /// The message at `sequence` of the stream, nil when there is none (never stored or deleted).
    public func message(stream: String, sequence: UInt64) throws -> StoredMessage? {
        var message: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetMsg(&message, handle, stream, sequence, nil, &code)
        if status == NATS_NOT_FOUND || code == JSNoMessageFoundErr { return nil }
        try check(status, "message \(sequence) of \(stream)", code)
        defer { natsMsg_Destroy(message) }
        return StoredMessage(message!)
    }

    // MARK: - Publishing

    /// Publishes `data` to `subject` with message id `messageID`, without waiting for the server's
    /// acknowledgement (it goes to `onPublish`). Blocks while `maxPendingPublishes` are in flight.
    public func publishAsync(subject: String, data: UnsafeRawBufferPointer, messageID: String) throws {
        var options = jsPubOptions()
        try check(jsPubOptions_Init(&options), "jsPubOptions_Init")
        options.MaxWait = publishTimeoutMilliseconds
        try messageID.withCString { id in
            options.MsgId = id
            try check(js_PublishAsync(handle, subject, data.baseAddress, Int32(data.count), &options), "js_PublishAsync")
        }
    }

    /// Waits until every asynchronous publish has its outcome, at most `timeoutMilliseconds`
    /// (a time-out is `NATSError.isTimeout`).
    public func waitForPublishes(timeoutMilliseconds: Int64) throws {
        var options = jsPubOptions()
        try check(jsPubOptions_Init(&options), "jsPubOptions_Init")
        options.MaxWait = timeoutMilliseconds
        try check(js_PublishAsyncComplete(handle, &options), "js_PublishAsyncComplete")
    }

    /// Drops the asynchronous publishes still waiting for an outcome (they get none); returns how many.
    @discardableResult
    public func abandonPendingPublishes() -> Int {
        var list = natsMsgList()
        guard js_PublishAsyncGetPendingList(&list, handle) == NATS_OK else { return 0 }
        let count = Int(list.Count)
        natsMsgList_Destroy(&list)
        return count
    }

    // MARK: - Consumers

    /// Creates the durable consumer when it does not exist; returns its state.
    @discardableResult
    public func addConsumerIfMissing(stream: String, _ settings: ConsumerSettings) throws -> ConsumerState {
        if let existing = try consumerState(stream: stream, name: settings.durableName) { return existing }
        var config = jsConsumerConfig()
        try check(jsConsumerConfig_Init(&config), "jsConsumerConfig_Init")
        var info: UnsafeMutablePointer<jsConsumerInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = settings.durableName.withCString { durable in
            settings.filterSubject.withCString { filter in
                config.Durable = durable
                config.FilterSubject = filter
                config.AckPolicy = js_AckExplicit
                config.DeliverPolicy = js_DeliverAll
                config.AckWait = settings.ackWaitMilliseconds * 1_000_000
                config.MaxAckPending = Int64(settings.maxAckPending)
                config.MaxDeliver = -1
                return js_AddConsumer(&info, handle, stream, &config, nil, &code)
            }
        }
        try check(status, "create consumer \(settings.durableName) on \(stream)", code)
        defer { jsConsumerInfo_Destroy(info) }
        return ConsumerState(info!.pointee)
    }

    /// The consumer's position, nil when there is no such consumer (or stream).
    public func consumerState(stream: String, name: String) throws -> ConsumerState? {
        var info: UnsafeMutablePointer<jsConsumerInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetConsumerInfo(&info, handle, stream, name, nil, &code)
        if status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr || code == JSStreamNotFoundErr { return nil }
        try check(status, "consumer info \(name) on \(stream)", code)
        defer { jsConsumerInfo_Destroy(info) }
        return ConsumerState(info!.pointee)
    }

    /// Every consumer of the stream with its position.
    public func consumers(stream: String) throws -> [ConsumerState] {
        var list: UnsafeMutablePointer<jsConsumerInfoList>?
        var code = jsErrCode(rawValue: 0)
        let status = js_Consumers(&list, handle, stream, nil, &code)
        if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr { return [] }
        try check(status, "consumers of \(stream)", code)
        defer { jsConsumerInfoList_Destroy(list) }
        guard let list, let items = list.pointee.List else { return [] }
        return (0..<Int(list.pointee.Count)).compactMap { items[$0].map { ConsumerState($0.pointee) } }
    }

    /// Binds a pull subscription to the existing durable consumer `name` of `stream`.
    public func pullSubscription(stream: String, consumer name: String, subject: String) throws -> PullSubscription {
        try PullSubscription(context: self, stream: stream, consumer: name, subject: subject)
    }
}

/// A pull subscription bound to a durable consumer: `fetch` asks the server for the next messages.
public final class PullSubscription: @unchecked Sendable {
    private let handle: OpaquePointer
    private let context: JetStream

    init(context: JetStream, stream: String, consumer: String, subject: String) throws {
        self.context = context
        var options = jsSubOptions()
        try check(jsSubOptions_Init(&options), "jsSubOptions_Init")
        var subscription: OpaquePointer?
        var code = jsErrCode(rawValue: 0)
        let status = stream.withCString { s in
            consumer.withCString { c in
                options.Stream = s
                options.Consumer = c
                options.ManualAck = true
                return js_PullSubscribe(&subscription, context.handle, subject, c, nil, &options, &code)
            }
        }
        try check(status, "bind to consumer \(consumer) on \(stream)", code)
        handle = subscription!
    }

    /// Fetches up to `limit` messages, waiting at most `timeoutMilliseconds` for the first; an
    /// empty array when none came in time.
    public func fetch(limit: Int, timeoutMilliseconds: Int64) throws -> [ConsumedMessage] {
        var list = natsMsgList()
        let status = natsSubscription_Fetch(&list, handle, Int32(limit), timeoutMilliseconds, nil)
        defer { natsMsgList_Destroy(&list) }
        if list.Count == 0 {
            if status == NATS_TIMEOUT { return [] }
            try check(status, "fetch")
        }
        var messages: [ConsumedMessage] = []
        messages.reserveCapacity(Int(list.Count))
        for index in 0..<Int(list.Count) {
            guard let message = list.Msgs[index] else { continue }
            list.Msgs[index] = nil  // now owned by the ConsumedMessage
            messages.append(ConsumedMessage(handle: message))
        }
        return messages
    }

    deinit {
        natsSubscription_Destroy(handle)
    }
}

// MARK: - Publish acknowledgements

/// Holds the closure that receives publish outcomes; the C callback finds it through its closure pointer.
final class PublishSink: @unchecked Sendable {
    let handler: @Sendable (PublishOutcome) -> Void
    init(_ handler: @escaping @Sendable (PublishOutcome) -> Void) { self.handler = handler }
}

private func handlePublishOutcome(_ message: OpaquePointer?, _ ack: UnsafeMutablePointer<jsPubAck>?,
                                  _ failure: UnsafeMutablePointer<jsPubAckErr>?, _ closure: UnsafeMutableRawPointer?) {
    guard let closure else {
        natsMsg_Destroy(message)
        return
    }
    let sink = Unmanaged<PublishSink>.fromOpaque(closure).takeUnretainedValue()
    let id = message.flatMap { header(messageIDHeader, of: $0) } ?? ""
    if let ack {
        sink.handler(PublishOutcome(messageID: id, streamSequence: ack.pointee.Sequence, duplicate: ack.pointee.Duplicate, failure: nil))
    } else {
        var reason = "no acknowledgement"
        if let failure {
            let text = failure.pointee.ErrText.map { String(cString: $0) } ?? ""
            let status = natsStatus_GetText(failure.pointee.Err).map { String(cString: $0) } ?? ""
            reason = text.isEmpty ? status : text
        }
        sink.handler(PublishOutcome(messageID: id, streamSequence: 0, duplicate: false, failure: reason))
    }
    natsMsg_Destroy(message)
}

extension StreamState {
    init(_ info: jsStreamInfo) {
        let config = info.Config?.pointee
        var subjects: [String] = []
        if let config, let list = config.Subjects {
            subjects = (0..<Int(config.SubjectsLen)).compactMap { list[$0].map { String(cString: $0) } }
        }
        self.init(
            name: config?.Name.map { String(cString: $0) } ?? "", subjects: subjects, replicas: Int(config?.Replicas ?? 0),
            messages: info.State.Msgs, firstSequence: info.State.FirstSeq, lastSequence: info.State.LastSeq,
            lastTimeNanoseconds: info.State.LastTime)
    }
}

extension ConsumerState {
    init(_ info: jsConsumerInfo) {
        self.init(
            name: info.Name.map { String(cString: $0) } ?? "", ackFloorStreamSequence: info.AckFloor.Stream,
            ackFloorTimeNanoseconds: info.AckFloor.Last, deliveredStreamSequence: info.Delivered.Stream,
            ackPending: info.NumAckPending, pending: info.NumPending)
    }
}

extension StoredMessage {
    init(_ message: OpaquePointer) {
        self.init(
            streamSequence: natsMsg_GetSequence(message), storedAtNanoseconds: natsMsg_GetTime(message),
            messageID: header(messageIDHeader, of: message), data: payload(of: message))
    }
}

extension JetStream {
    /// Deletes the consumer `name` of `stream` (its position is lost).
    public func deleteConsumer(stream: String, name: String) throws {
        var code = jsErrCode(rawValue: 0)
        try check(js_DeleteConsumer(handle, stream, name, nil, &code), "delete consumer \(name) on \(stream)", code)
    }
}
