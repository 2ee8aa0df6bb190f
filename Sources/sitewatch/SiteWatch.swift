import ArgumentParser
import Foundation
import RasterIO

@main
struct SiteWatch: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "sitewatch",
        abstract: "Measure what changed at a site between two dates of georeferenced imagery.",
        version: version,
        subcommands: [Compare.self, Batch.self, Info.self, Synth.self, Evaluate.self, EvaluatePairs.self])

    /// Runs a command body, turning SiteWatch's errors into one line on stderr and the exit code
    /// of their kind (see README "Exit codes"). Nothing else may reach the user as a stack trace.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as RasterIOError {
            FileHandle.standardError.write(Data("sitewatch: error: \(error)\n".utf8))
            throw ExitCode(ExitStatus.code(for: error.code))
        } catch let error as CompareError {
            FileHandle.standardError.write(Data("sitewatch: error: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}

/// Exit codes, one per kind of failure, so scripts can tell them apart.
enum ExitStatus {
    static let malformed: Int32 = 65
    static let notGeoreferenced: Int32 = 66
    static let incompatibleInputs: Int32 = 67
    static let unsupported: Int32 = 68
    static let limitsExceeded: Int32 = 69
    static let siteOutside: Int32 = 70
    static let noOverlap: Int32 = 71
    static let io: Int32 = 74
    /// A batch finished, but some sites failed (listed in its summary).
    static let batchHadFailures: Int32 = 75

    static func code(for code: RasterIOError.Code) -> Int32 {
        switch code {
        case .malformed: return malformed
        case .notGeoreferenced: return notGeoreferenced
        case .incompatibleInputs: return incompatibleInputs
        case .unsupported: return unsupported
        case .limitsExceeded: return limitsExceeded
        default: return io
        }
    }
}
