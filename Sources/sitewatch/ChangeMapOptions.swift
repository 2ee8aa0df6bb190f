import ArgumentParser
import ChangeAnalysis

/// How the change map decides, for `compare` and `evaluate-pairs`: the defaults say nothing
/// changed where the evidence is weak; an analyst who knows a scene changed widely can loosen them
/// (README, "Change map on real labelled pairs", gives what each rule scored).
struct ChangeMapOptions: ParsableArguments {
    enum ThresholdRule: String, ExpressibleByArgument, CaseIterable {
        case otsu
        case kittlerIllingworth = "kittler-illingworth"
    }

    @Option(name: .long, help: "Histogram threshold of the change magnitude: otsu or kittler-illingworth.")
    var changeThreshold: ThresholdRule = .otsu

    @Option(name: .long, help: "Probability with which unchanged ground may pass the threshold (the no-change tail, from the histogram's median and median absolute deviation), in (0, 0.5]; larger flags more.")
    var noChangeTail: Double = ChangeParameters().noChangeTailProbability

    @Option(name: .long, help: "Half-width of the box the change magnitude is averaged over, metres (0: none).")
    var averagingRadius: Double = ChangeParameters().averagingRadiusMeters

    func validate() throws {
        guard noChangeTail > 0, noChangeTail <= 0.5 else { throw ValidationError("--no-change-tail is a probability in (0, 0.5], got \(noChangeTail)") }
        guard averagingRadius >= 0, averagingRadius <= 100 else { throw ValidationError("--averaging-radius is in metres, 0 to 100, got \(averagingRadius)") }
    }

    var parameters: ChangeParameters {
        var p = ChangeParameters()
        p.threshold = changeThreshold == .otsu ? .otsu : .kittlerIllingworth
        p.noChangeTailProbability = noChangeTail
        p.averagingRadiusMeters = averagingRadius
        return p
    }
}
