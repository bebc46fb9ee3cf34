import Foundation
import LoopbackSocket
import NATSClient
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A NATS server on 127.0.0.1 that answers each client's handshake (INFO, then PONG to its PING) and
/// then never reads again: the client's writes fill the socket buffers and block.
private final class StalledServer: Sendable {
    let port: Int
    private let listener: Int32
    private let accepted = Mutex<[Int32]>([])

    init() throws {
        let socket = try LoopbackSocket.open(listening: true)
        listener = socket.descriptor
        port = socket.port
        Thread { [self] in acceptLoop() }.start()
    }

    /// Connections accepted so far (a client that gave up on one and reconnected counts twice).
    var connections: Int { accepted.withLock { $0.count } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }  // the listener was shut down
            accepted.withLock { $0.append(client) }
            handshake(client)
        }
    }

    private func handshake(_ client: Int32) {
        let info = "INFO {\"server_id\":\"stalled\",\"server_name\":\"stalled\",\"version\":\"2.10.0\",\"proto\":1,"
            + "\"host\":\"127.0.0.1\",\"port\":\(port),\"headers\":true,\"max_payload\":1048576}\r\n"
        guard send(Array(info.utf8), to: client) else { return }
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: seen, as: UTF8.self).contains("PING\r\n") {
            let count = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            seen += buffer[..<count]
        }
        _ = send(Array("PONG\r\n".utf8), to: client)
        // From here on nothing is read from this client.
    }

    private func send(_ bytes: [UInt8], to client: Int32) -> Bool {
        bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) == $0.count }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for client in accepted.withLock({ $0 }) { close(client) }
    }
}

@Suite("NATS connection write deadline")
struct WriteDeadlineTests {
    /// Publishes 32 MiB (far more than loopback socket buffers hold) to a server that never reads;
    /// returns whether the publishing thread finished within `limit`, how many publishes failed and
    /// how many connections the server accepted. (With `writeDeadlineMilliseconds: 0` the thread was
    /// still blocked after 20 s, 0 failures, 1 connection: the test below fails without the deadline.)
    private func publishToStalledServer(writeDeadlineMilliseconds: Int64, within limit: TimeInterval) throws
        -> (finished: Bool, failures: Int, connections: Int)
    {
        let server = try StalledServer()
        defer { server.stop() }
        let connection = try NATSConnection(servers: ["nats://127.0.0.1:\(server.port)"], name: "write-deadline test",
                                            writeDeadlineMilliseconds: writeDeadlineMilliseconds)
        let jetStream = try JetStream(connection: connection, publishTimeoutMilliseconds: 1_000)
        let failures = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        let payload = [UInt8](repeating: 0x61, count: 512 << 10)
        let publisher = Thread {
            for index in 0..<64 {
                do {
                    try payload.withUnsafeBytes {
                        try jetStream.publishAsync(subject: "stalled.records", data: $0, messageID: "m\(index)")
                    }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
            done.signal()
        }
        publisher.start()
        let finished = done.wait(timeout: .now() + limit) == .success
        return (finished, failures.load(ordering: .relaxed), server.connections)
    }

    @Test("a server that stops reading fails the publishes past the deadline instead of blocking them for ever")
    func stalledServerFailsWrites() throws {
        let outcome = try publishToStalledServer(writeDeadlineMilliseconds: 300, within: 60)
        #expect(outcome.finished, "64 publishes of 512 KiB to a server that never reads did not return within 60 s")
        // The writes that hit the deadline either failed the publish or dropped the connection (the
        // client then reconnects and holds later publishes in its reconnect buffer).
        #expect(outcome.failures > 0 || outcome.connections > 1,
                "no publish failed and the client never reconnected: the deadline did not take effect")
    }
}
