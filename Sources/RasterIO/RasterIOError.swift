/// Why reading or writing a raster failed: what kind of failure, which file, what was wrong or
/// expected, and the underlying library's own words.
public struct RasterIOError: Error, Hashable, CustomStringConvertible {
    /// A struct over a private enum, so that codes can be added without breaking exhaustive switches.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case malformed, unsupported, limitsExceeded, io, notGeoreferenced, incompatibleInputs }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file is broken: truncated, corrupt, or contradicting its own header.
        public static let malformed = Code(.malformed)
        /// The file is valid but uses a feature SiteWatch does not implement.
        public static let unsupported = Code(.unsupported)
        /// Decoding it would need more memory than the configured limit.
        public static let limitsExceeded = Code(.limitsExceeded)
        /// The file system failed: missing file, permission, full disk.
        public static let io = Code(.io)
        /// The raster does not say where on earth it is.
        public static let notGeoreferenced = Code(.notGeoreferenced)
        /// Inputs that must agree (tiles of a mosaic, two dates) do not.
        public static let incompatibleInputs = Code(.incompatibleInputs)

        public var description: String { kind.rawValue }
    }

    public var code: Code
    /// The file (or folder) the error is about.
    public var path: String
    /// What is wrong, in words a user can act on, including what was expected.
    public var message: String
    /// The underlying library's message (libtiff, libpng, PROJ, the OS), if any.
    public var cause: String?

    public init(_ code: Code, path: String, _ message: String, cause: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.cause = cause.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String {
        var text = "\(path): \(message)"
        if let cause { text += " (\(cause))" }
        return text
    }
}
