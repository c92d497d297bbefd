import Foundation

/// The NumPy side: one `python3 Tools/Bench/bench_numpy.py --serve` process per thread count (the
/// BLAS thread count must be in its environment before NumPy loads), asked for one case at a time
/// so Reprise and NumPy alternate and see the same machine load.
final class NumPyRunner {
    enum Availability { case unknown, available(info: String), missing(reason: String) }

    private final class Server {
        let process: Process
        let input: FileHandle
        let output: FileHandle
        var buffer = Data()
        init(process: Process, input: FileHandle, output: FileHandle) {
            self.process = process; self.input = input; self.output = output
        }

        /// The next line from the server, or nil at end of stream.
        func readLine() -> String? {
            while true {
                if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...nl)
                    return line
                }
                let chunk = output.availableData
                if chunk.isEmpty { return nil }
                buffer.append(chunk)
            }
        }
    }

    let script: String
    /// Added to the servers' environment, e.g. `OPENBLAS_CORETYPE` to force OpenBLAS's kernels for a
    /// given CPU instead of the ones it picks itself.
    let environment: [String: String]
    private(set) var availability: Availability = .unknown
    private var servers: [Int: Server] = [:]

    init(script: String, environment: [String: String] = [:]) { self.script = script; self.environment = environment }

    private func server(threads: Int) -> Server? {
        if let s = servers[threads] { return s }
        if case .missing = availability { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--serve"]
        var env = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { env[key] = "\(threads)" }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let inPipe = Pipe(), outPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            availability = .missing(reason: "python3 not runnable: \(error)")
            return nil
        }
        let s = Server(process: process, input: inPipe.fileHandleForWriting, output: outPipe.fileHandleForReading)
        // The first line is {"info": ...} or {"error": "numpy-missing"}.
        guard let first = s.readLine(), let obj = Self.parse(first) else {
            availability = .missing(reason: "bench_numpy.py did not start")
            return nil
        }
        if let err = obj["error"] {
            availability = .missing(reason: "\(err)")
            return nil
        }
        if let info = obj["info"] as? [String: Any], case .unknown = availability {
            availability = .available(info: "NumPy \(info["numpy"] ?? "?"), BLAS \(info["blas"] ?? "?")")
        }
        servers[threads] = s
        return s
    }

    private static func parse(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// Starts the server for `threads` now (so NumPy's import does not overlap a measurement).
    func start(threads: Int) { _ = server(threads: threads) }

    /// Median seconds for `op` at size n on `threads` BLAS threads, or nil (NumPy missing,
    /// operation unsupported, or the case failed).
    func time(op: String, n: Int, threads: Int, reps: Int, minTime: Double) -> Double? {
        guard let s = server(threads: threads) else { return nil }
        guard (try? s.input.write(contentsOf: Data("\(op) \(n) \(reps) \(minTime)\n".utf8))) != nil,
              let line = s.readLine(), let obj = Self.parse(line) else {
            servers[threads] = nil
            return nil
        }
        // OpenBLAS worker threads spin for a while after a call; let them settle before Reprise runs.
        if threads > 1 { usleep(200_000) }
        return obj["median_s"] as? Double
    }

    /// Ends the server processes (closing stdin ends their loop).
    func close() {
        for s in servers.values {
            try? s.input.close()
            s.process.waitUntilExit()
        }
        servers = [:]
    }
}
