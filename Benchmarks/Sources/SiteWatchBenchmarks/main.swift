import Foundation

// sitewatch-benchmarks [all|kernels|change]: the suite Benchmarks/run runs (release builds only).
// Results go to Benchmarks/results (or BENCH_RESULTS) as Markdown and JSON.
//   kernels   each SIMD kernel against its scalar twin and memcpy
//   change    the change core end to end, excluding decode (1 and 2 threads), decode throughput
//             against libtiff, and the peer pipelines, at BENCH_SIZES
// change-run is the child process the change benchmark times (one run per process, for its peak RSS).

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "all"
do {
    switch mode {
    case "change-run":
        try changeRunChild(Array(arguments.dropFirst()))
    case "kernels":
        try runKernelBenchmarks()
    case "change":
        try runChangeBenchmark()
    case "all":
        try runKernelBenchmarks()
        try runChangeBenchmark()
    default:
        FileHandle.standardError.write(Data("usage: sitewatch-benchmarks [all|kernels|change]\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("sitewatch-benchmarks: \(error)\n".utf8))
    exit(1)
}
