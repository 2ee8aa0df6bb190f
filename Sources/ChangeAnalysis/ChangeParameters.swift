import RasterKernels

/// How the change core runs. Defaults suit 0.3-2 m imagery of a site.
public struct ChangeParameters: Sendable, Hashable {
    public enum ThresholdMethod: Sendable, Hashable {
        case otsu
        case kittlerIllingworth
        /// A fixed change magnitude, in the before date's sample units.
        case fixed(Double)
    }

    /// The largest misregistration searched for, in before pixels.
    public var maxShiftPixels: Int = 8
    /// Edge of each co-registration window and how many windows (spread over the overlap).
    public var registrationWindowSize: Int = 256
    public var registrationWindowCount: Int = 9
    public var threshold: ThresholdMethod = .otsu
    /// Edge of the square structuring element of the opening and closing (odd).
    public var morphologySize: Int = 3
    public var connectivity: Connectivity = .eight
    /// Components smaller than this are dropped as noise.
    public var minimumComponentPixels: Int = 4
    /// Rows per strip of the streamed passes.
    public var stripRows: Int = 256
    public var histogramBins: Int = 2048
    /// Threads for the streamed passes.
    public var threads: Int = 2

    public init() {}
}
