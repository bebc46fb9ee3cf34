import BoundedWait
import Foundation
import SiglogCore

/// Runs the built tools (found next to the test bundle) as a user would: arguments, environment,
/// working directory, standard input; output collected through files, so a large output never
/// blocks the tool.
enum Tools {
    static let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// What a finished run printed and how it exited.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONParser.parse(stdout) }
    }

    /// A running tool.
    struct Started {
        var process: Process
        var out: URL
        var err: URL

        /// Waits for the tool and collects what it printed.
        func finish() throws -> Run {
            try BoundedWait.untilExit(process)
            defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
            return Run(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                       stderr: try String(contentsOf: err, encoding: .utf8))
        }
    }

    /// Starts `tool` (a built tool by name, or `executable`). The rate limit is off unless
    /// `environment` sets it; a nil value in `environment` removes the variable.
    static func start(_ tool: String, _ arguments: [String], executable: URL? = nil, directory: URL? = nil,
                      environment extra: [String: String?] = [:], input: String? = nil) throws -> Started {
        let process = Process()
        process.executableURL = executable ?? binaries.appendingPathComponent(tool)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR"] = "0"
        for (name, value) in extra { environment[name] = value }
        process.environment = environment
        let tmp = FileManager.default.temporaryDirectory
        let out = tmp.appendingPathComponent("siglog-tool-\(UUID().uuidString).out")
        let err = tmp.appendingPathComponent("siglog-tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        return Started(process: process, out: out, err: err)
    }

    /// Runs `tool` to its end (see `start`).
    static func run(_ tool: String, _ arguments: [String], executable: URL? = nil, directory: URL? = nil,
                    environment: [String: String?] = [:], input: String? = nil) throws -> Run {
        try start(tool, arguments, executable: executable, directory: directory, environment: environment, input: input).finish()
    }
}
