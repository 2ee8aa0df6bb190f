import Foundation

// What every results file states: the machine, the date, and whether the machine was busy with
// other work while the figures were taken (a load average from before the run starts).

struct Machine: Codable {
    var cpu: String
    var cores: Int
    var memoryGigabytes: Double
    var os: String
    var date: String
    /// The 1-minute load average when the suite started and when this file was written: above
    /// ~0.5 before the run, something else shared the cores.
    var loadBefore: Double
    var loadAfter: Double

    /// Benchmarks/run reads it before it builds anything.
    static let loadAtStart = ProcessInfo.processInfo.environment["BENCH_LOAD_BEFORE"].flatMap(Double.init) ?? currentLoad()

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let os = ((try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? "").split(separator: "\n")
            .first { $0.hasPrefix("PRETTY_NAME=") }.map { String($0.dropFirst(12)).replacingOccurrences(of: "\"", with: "") } ?? "Linux"
        let date = ISO8601DateFormatter().string(from: Date())
        return Machine(cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount,
                       memoryGigabytes: Double(ProcessInfo.processInfo.physicalMemory) / 1e9, os: os,
                       date: String(date.prefix(10)), loadBefore: loadAtStart, loadAfter: currentLoad())
    }

    static func currentLoad() -> Double {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "0"
        return Double(text.split(separator: " ").first ?? "0") ?? 0
    }

    var markdown: String {
        var line = "\(cpu), \(cores) cores, \(String(format: "%.0f", memoryGigabytes)) GB, \(os); \(date); release builds."
        line += String(format: " Load average %.2f before the suite, %.2f at the end", loadBefore, loadAfter)
        line += loadBefore > 0.5 || loadAfter > 2.5 ? " — the machine was shared with other work: treat figures as lower bounds." : "."
        return line
    }
}

let resultsFolder = ProcessInfo.processInfo.environment["BENCH_RESULTS"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("results").path

func writeResults<T: Encodable>(_ value: T, markdown: String, name: String) throws {
    try FileManager.default.createDirectory(atPath: resultsFolder, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(value).write(to: URL(fileURLWithPath: resultsFolder + "/\(name).json"))
    try markdown.write(toFile: resultsFolder + "/\(name).md", atomically: true, encoding: .utf8)
    print("wrote \(resultsFolder)/\(name).md and .json")
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    try seconds(ContinuousClock().measure(body))
}

func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0").map { $0 / 1024 } ?? 0
}

/// Runs this executable again with `arguments` and decodes its JSON output: each measured run
/// gets a fresh process, so its peak RSS is its own.
func child<T: Decodable>(_ arguments: [String], as: T.Type) throws -> T {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkError("\(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return try JSONDecoder().decode(T.self, from: data)
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
