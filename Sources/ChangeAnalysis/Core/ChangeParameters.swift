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
    /// IR-MAD and the orthogonal fit of the after date onto the before date.
    public var normalisation = NormalisationParameters()
    /// Half-width of the box the change magnitude is averaged over before it is thresholded, metres
    /// (rounded to whole pixels; none where that rounds to 0, from 2.4 m per pixel): two dates of
    /// sub-metre imagery disagree over a pixel or two at every edge (misregistration, parallax,
    /// resampling) while a building or a new track is wider. On the real labelled pairs (0.3-1.5 m)
    /// averaging over 1.2 m raised the summed F1 of every dataset (issue 19).
    public var averagingRadiusMeters: Double = 1.2
    /// Otsu on the averaged magnitude, held above the no-change tail. Kittler-Illingworth and an EM
    /// mixture of two Gaussians did worse on the real labelled pairs (README, "Change map").
    public var threshold: ThresholdMethod = .otsu
    /// Change must be this improbable under the no-change distribution (its median and robust
    /// spread, `ChangeThreshold`): one pixel in a thousand of unchanged ground may pass. At 0.05 the
    /// committed no-change scene showed 16.6 % of its pixels changed, at 0.001 0.75 %; the price is
    /// recall where a third of the image changed (README, "Change map").
    public var noChangeTailProbability: Double = 0.001
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
