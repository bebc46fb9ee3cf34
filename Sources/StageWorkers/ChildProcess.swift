import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process of the `exec` handler, started with `posix_spawn` in a process group of its own
/// and with default handling of the signals a worker ignores (SIGTERM, SIGINT, SIGPIPE), its stdin
/// written and its stdout and stderr read on threads of their own, its exit awaited by `waitpid`
/// on its pid without holding a thread of the concurrency pool.
///
/// Written here rather than taken from a library: Foundation's `Process` can neither give the
/// child a process group (a timeout must stop a script's own children too, which hold its output
/// open) nor reset the signals the worker ignores, and its termination is only seen once every
/// descendant closed an inherited descriptor; swift-subprocess can, but its child bookkeeping
/// conflicts with Foundation's `Process` in the same process (the test process uses both).
final class ChildProcess: Sendable {
    /// How the child ended and what it wrote.
    struct Ended: Sendable {
        /// The exit status when it exited.
        var exitStatus: Int32
        /// The signal that ended it, if one did.
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: String
        /// Whether stdout was longer than the limit (the excess was discarded).
        var outputOverLimit: Bool
    }

    /// Why a child could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    private let pid: pid_t
    private let exited = DispatchGroup()
    private let drained = DispatchGroup()
    private let status = Mutex<Int32>(0)
    private let output = Mutex<(stdout: [UInt8], stderr: [UInt8], overLimit: Bool)>(([], [], false))

    /// Starts `executable` (a path) with `arguments` and exactly `environment`.
    init(executable: String, arguments: [String], environment: [String: String], input: [UInt8], outputLimit: Int) throws {
        // Pipes are made close-on-exec after they are made; spawning under one lock keeps another
        // child from inheriting them in between (an inherited stdin never reaches its EOF).
        // A program being replaced while another process still has it open for writing is "busy"
        // for a moment: try again briefly.
        var attempt = 0
        var spawned: (pid_t, [Int32], [Int32], [Int32])
        while true {
            do {
                spawned = try Self.spawnLock.withLock { _ in
                    try Self.spawn(executable: executable, arguments: arguments, environment: environment)
                }
                break
            } catch let error as SpawnError where error.code == ETXTBSY && attempt < 5 {
                attempt += 1
                usleep(20_000 * UInt32(attempt))
            }
        }
        let (child, stdinPipe, stdoutPipe, stderrPipe) = spawned
        pid = child

        exited.enter()
        Self.detach { [self] in
            var raw: Int32 = 0
            while waitpid(child, &raw, 0) == -1 && errno == EINTR {}
            status.withLock { $0 = raw }
            exited.leave()
        }
        let writeEnd = stdinPipe[1]
        Self.detach {
            input.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(writeEnd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { break }  // EPIPE: the child does not read its input
                    offset += written
                }
            }
            Glibc.close(writeEnd)
        }
        drain(stdoutPipe[0], limit: outputLimit) { [self] bytes, over in
            output.withLock {
                $0.stdout = bytes
                $0.overLimit = over
            }
        }
        drain(stderrPipe[0], limit: 64 << 10) { [self] bytes, _ in output.withLock { $0.stderr = bytes } }
    }

    private static let spawnLock = Mutex(())

    /// Runs blocking work (`waitpid`, pipe reads and writes) on a thread of its own: on the
    /// dispatch pool, a few blocked children would starve every other user of it.
    private static func detach(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Makes the pipes and spawns the child; returns its pid and the parent's ends (stdin's write
    /// end, stdout's and stderr's read ends) at index 1, 0, 0.
    private static func spawn(executable: String, arguments: [String], environment: [String: String]) throws
        -> (pid_t, [Int32], [Int32], [Int32])
    {
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        guard Self.pipe(&stdinPipe) else { throw SpawnError(code: errno) }
        guard Self.pipe(&stdoutPipe) else {
            Self.close(stdinPipe)
            throw SpawnError(code: errno)
        }
        guard Self.pipe(&stderrPipe) else {
            Self.close(stdinPipe + stdoutPipe)
            throw SpawnError(code: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        Self.close([stdinPipe[0], stdoutPipe[1], stderrPipe[1]])
        guard result == 0 else {
            Self.close([stdinPipe[1], stdoutPipe[0], stderrPipe[0]])
            throw SpawnError(code: result)
        }
        return (child, stdinPipe, stdoutPipe, stderrPipe)
    }

    /// A pipe whose ends other children do not inherit (close-on-exec; the spawn duplicates the
    /// child's ends onto 0, 1 and 2).
    private static func pipe(_ ends: inout [Int32]) -> Bool {
        guard Glibc.pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func close(_ descriptors: [Int32]) {
        for descriptor in descriptors where descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Reads `descriptor` to its end on a thread of its own, keeping at most `limit` bytes.
    private func drain(_ descriptor: Int32, limit: Int, _ finish: @escaping @Sendable ([UInt8], Bool) -> Void) {
        drained.enter()
        Self.detach { [drained] in
            var kept: [UInt8] = []
            var over = false
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                if kept.count + count <= limit { kept.append(contentsOf: buffer[0..<count]) } else { over = true }
            }
            Glibc.close(descriptor)
            finish(kept, over)
            drained.leave()
        }
    }

    /// Sends `number` to the child's process group (the child and what it started).
    func signalGroup(_ number: Int32) {
        kill(-pid, number)
    }

    /// Waits for the exit, stopping the child's process group once `timeout` has passed (SIGTERM,
    /// then SIGKILL two seconds later), then waits for the end of both outputs — at most a second
    /// more: something the child started may still hold them open, and what was read by then is
    /// the output. The clock runs on a thread of its own, so a busy concurrency pool cannot delay
    /// the stop. Returns how the child ended and whether the timeout stopped it.
    func wait(timeout: Duration) async -> (ended: Ended, timedOut: Bool) {
        let limit = DispatchTimeInterval.milliseconds(Int(max(1, timeout.milliseconds)))
        return await withCheckedContinuation { continuation in
            Self.detach { [self] in
                var timedOut = false
                if exited.wait(timeout: .now() + limit) == .timedOut {
                    timedOut = true
                    signalGroup(SIGTERM)
                    if exited.wait(timeout: .now() + .seconds(2)) == .timedOut {
                        signalGroup(SIGKILL)
                        exited.wait()
                    }
                }
                _ = drained.wait(timeout: .now() + 1)
                let raw = status.withLock { $0 }
                let collected = output.withLock { $0 }
                let signal = raw & 0x7F
                let ended = Ended(exitStatus: (raw >> 8) & 0xFF, signal: signal == 0 ? nil : signal, stdout: collected.stdout,
                                  stderr: String(decoding: collected.stderr, as: UTF8.self), outputOverLimit: collected.overLimit)
                continuation.resume(returning: (ended, timedOut))
            }
        }
    }
}
