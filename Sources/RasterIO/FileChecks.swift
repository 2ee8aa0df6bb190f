import Foundation

/// File-system checks and atomic output, shared by every reader and writer.
public enum FileChecks {
    /// Throws `io` unless path is an existing, readable regular file.
    static func requireReadableFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RasterIOError(.io, path: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw RasterIOError(.io, path: path, "is a folder, expected a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RasterIOError(.io, path: path, "file is not readable (permission denied)")
        }
    }

    /// Writes a file under a temporary name beside `path` and renames it into place only when
    /// `write` succeeded, so a failure never leaves a half-written output.
    public static func writeAtomically(to path: String, _ write: (_ temporaryPath: String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RasterIOError(.io, path: path, "output folder \(directory) does not exist")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try write(temporary)
            guard rename(temporary, path) == 0 else {
                throw RasterIOError(.io, path: path, "cannot move the finished file into place",
                                    cause: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes bytes atomically.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        try writeAtomically(to: path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
                throw RasterIOError(.io, path: path, "cannot write file")
            }
        }
    }
}
