import BoundedWait
import Foundation
import LoopbackSocket
import NATSClient
#if canImport(Glibc)
import Glibc
#endif

/// An N-node NATS JetStream cluster on loopback for tests: free 127.0.0.1 ports (client and
/// cluster), file storage in a temporary directory, started and waited for, stopped by `stop()`.
final class NATSCluster: @unchecked Sendable {
    struct Node {
        var name: String
        var clientPort: Int
        var clusterPort: Int
        var config: URL
        var process: Process?
    }

    let directory: URL
    private(set) var nodes: [Node] = []
    private let lock = NSLock()

    /// The client URLs of every node.
    var servers: [String] { nodes.map { "nats://127.0.0.1:\($0.clientPort)" } }
    var serverList: String { servers.joined(separator: ",") }

    struct StartFailed: Error, CustomStringConvertible { var description: String }

    /// Starts `size` nodes and waits until JetStream answers.
    init(size: Int = 3) throws {
        guard let server = NATSCluster.serverBinary else {
            throw StartFailed(description: "nats-server is not installed (tools/test installs it: apt-get install nats-server)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-nats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ports = try NATSCluster.freePorts(2 * size)
        for index in 0..<size {
            nodes.append(Node(name: "n\(index)", clientPort: ports[2 * index], clusterPort: ports[2 * index + 1],
                              config: directory.appendingPathComponent("n\(index).conf"), process: nil))
        }
        for index in nodes.indices {
            let node = nodes[index]
            let routes = nodes.filter { $0.name != node.name }.map { "nats-route://127.0.0.1:\($0.clusterPort)" }
            let storage = directory.appendingPathComponent(node.name).path
            let config = """
                server_name: \(node.name)
                listen: 127.0.0.1:\(node.clientPort)
                jetstream { store_dir: "\(storage)", max_memory_store: 64MB, max_file_store: 4GB }
                cluster { name: siglog-test, listen: 127.0.0.1:\(node.clusterPort), routes: [\(routes.joined(separator: ", "))] }
                """
            try config.write(to: node.config, atomically: true, encoding: .utf8)
        }
        do {
            for index in nodes.indices { try launch(index, binary: server) }
            try waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    static var serverBinary: String? {
        ["/usr/bin/nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    private func launch(_ index: Int, binary: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", nodes[index].config.path]
        let log = directory.appendingPathComponent("\(nodes[index].name).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        lock.withLock { nodes[index].process = process }
    }

    /// Waits (bounded) until every node accepts connections and the cluster answers JetStream requests.
    func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(60)
        var lastError = "not started"
        while Date() < deadline {
            do {
                for node in nodes where node.process?.isRunning == true {
                    let connection = try NATSConnection(servers: ["nats://127.0.0.1:\(node.clientPort)"], name: "readiness")
                    let jetStream = try JetStream(connection: connection, requestTimeoutMilliseconds: 2_000)
                    _ = try jetStream.streamState("readiness-probe")
                }
                return
            } catch {
                lastError = "\(error)"
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        throw StartFailed(description: "the NATS cluster did not become ready in 60 s: \(lastError) (logs in \(directory.path))")
    }

    /// Kills node `index` with SIGKILL (its storage stays).
    func kill(_ index: Int) throws {
        guard let process = lock.withLock({ nodes[index].process }) else { return }
        try BoundedWait.kill(process)
        lock.withLock { nodes[index].process = nil }
    }

    /// Starts node `index` again on its ports and storage, and waits for the cluster.
    func restart(_ index: Int) throws {
        guard let binary = NATSCluster.serverBinary else { return }
        try launch(index, binary: binary)
        try waitUntilReady()
    }

    /// Stops every node (SIGTERM, then SIGKILL if one lingers) and removes the storage.
    func stop() {
        let processes = lock.withLock { nodes.compactMap(\.process) }
        for process in processes where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        for process in processes {
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { try? BoundedWait.kill(process) }
        }
        lock.withLock { for index in nodes.indices { nodes[index].process = nil } }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// `count` distinct free TCP ports on 127.0.0.1 (bound to port 0 and released; kept open until
    /// all are found so none repeats).
    static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [LoopbackSocket] = []
        defer { sockets.forEach { close($0.descriptor) } }
        for _ in 0..<count { sockets.append(try LoopbackSocket.open()) }
        return sockets.map(\.port)
    }
}
