import Foundation
import XCTest

/// Runs the built `sitewatch` binary, as a user would, and checks its output and exit code.
final class InfoCommandTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs sitewatch with the repository as working directory, so paths in output are relative.
    static func sitewatch(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("sitewatch")
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Compares text with Snapshots/NAME; RECORD_SNAPSHOTS=1 rewrites the snapshot.
    func assertSnapshot(_ text: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = Self.repository.appendingPathComponent("Tests/SitewatchCLITests/Snapshots/\(name)")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try text.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        XCTAssertEqual(text, expected, "output differs from \(name); rerun with RECORD_SNAPSHOTS=1 if intended", file: file, line: line)
    }

    func testInfoOnTheFixtureMosaic() throws {
        let run = try Self.sitewatch(["info", "Fixtures/foundation/mosaic"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        try assertSnapshot(run.stdout, named: "info-mosaic.txt")
    }

    func testInfoJSONForPrograms() throws {
        let run = try Self.sitewatch(["info", "--json", "--checksum", "Fixtures/foundation/mosaic"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["size"] as? [Int], [128, 128])
        XCTAssertEqual(json["epsg"] as? Int, 32652)
        XCTAssertEqual(json["geotransform"] as? [Double], [560_200, 0.5, 0, 4_631_700, 0, -0.5])
        let tiles = json["tiles"] as! [String: Any]
        XCTAssertEqual(tiles["count"] as? Int, 3)
        XCTAssertEqual(tiles["gaps"] as? Int, 1)
        XCTAssertEqual((json["band_sha256"] as? [String])?.count, 3)
        let box = json["extent_lonlat"] as! [Double]
        XCTAssertTrue(box[0] < 129.7253 && box[2] > 129.7253 - 0.01, "\(box)")
    }

    func testInfoOnAFileWithoutGeoreferencing() throws {
        let run = try Self.sitewatch(["info", "Fixtures/foundation/invalid/no-georeferencing.tif"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("Coordinate System: none\nGeoreferencing: none\n"), run.stdout)
    }

    /// Bad input: one line on stderr naming the file and the problem, the exit code of its kind,
    /// nothing on stdout, no stack trace or C library chatter.
    func testBadInputsGiveOneLineAndTheirExitCode() throws {
        let cases: [([String], Int32, String)] = [
            (["info", "Fixtures/foundation/invalid/truncated.tif"], 65,
             "sitewatch: error: Fixtures/foundation/invalid/truncated.tif: not a readable TIFF file ("),
            (["info", "--checksum", "Fixtures/foundation/invalid/corrupt-tile.tif"], 65,
             "sitewatch: error: Fixtures/foundation/invalid/corrupt-tile.tif: cannot decode tile 0 ("),
            (["info", "--checksum", "Fixtures/foundation/invalid/huge-header.tif"], 69,
             "sitewatch: error: Fixtures/foundation/invalid/huge-header.tif: a 1000000 x 1000000 block needs 1000000000000 bytes"),
            (["info", "Fixtures/foundation/no-such-folder"], 74,
             "sitewatch: error: Fixtures/foundation/no-such-folder: no such file or folder"),
            // A folder fails on its first bad tile in path order.
            (["info", "Fixtures/foundation/invalid/"], 69,
             "sitewatch: error: Fixtures/foundation/invalid/huge-header.tif: a 1000000 x 1000000 block"),
        ]
        for (arguments, status, prefix) in cases {
            let run = try Self.sitewatch(arguments)
            XCTAssertEqual(run.status, status, "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stdout, "", "\(arguments)")
            XCTAssertTrue(run.stderr.hasPrefix(prefix), "\(arguments): \(run.stderr)")
            XCTAssertEqual(run.stderr.filter { $0 == "\n" }.count, 1, "one line: \(run.stderr)")
        }
    }

    func testUsageErrorsExitWith64() throws {
        let run = try Self.sitewatch(["info"])
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.stderr.contains("Missing expected argument '<path>'"), run.stderr)
    }
}
