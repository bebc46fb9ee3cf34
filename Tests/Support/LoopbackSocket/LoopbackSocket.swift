#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP socket bound to 127.0.0.1 on a port the kernel chose: test servers listen on it, and a
/// bound socket that does not listen holds a port that refuses connections. The caller closes it.
public struct LoopbackSocket: Sendable {
    public let descriptor: Int32
    public let port: Int

    /// A new socket bound to 127.0.0.1:0, listening (backlog 8) when `listening`.
    public static func open(listening: Bool = false) throws -> LoopbackSocket {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LoopbackSocketError(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
                    && (!listening || listen(descriptor, 8) == 0)
            }
        }
        guard ready else {
            close(descriptor)
            throw LoopbackSocketError(description: listening ? "bind() or listen() on 127.0.0.1 failed" : "bind() on 127.0.0.1 failed")
        }
        return LoopbackSocket(descriptor: descriptor, port: Int(UInt16(bigEndian: address.sin_port)))
    }
}

public struct LoopbackSocketError: Error, CustomStringConvertible {
    public var description: String
}
