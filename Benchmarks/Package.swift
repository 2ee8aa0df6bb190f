// swift-tools-version:6.0
import PackageDescription

// A nested package so benchmarks stay outside the shipped dependency graph. Always run in release;
// Benchmarks/run runs the whole suite:
//   swift run -c release --package-path Benchmarks sitewatch-benchmarks [kernels|change]
let package = Package(
    name: "SiteWatchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "SiteWatch", path: "..")],
    targets: [
        // The decode baseline: libtiff decoding the same files in C, nothing else.
        .systemLibrary(name: "LibTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .target(name: "CTIFFBaseline", dependencies: ["LibTIFF"]),
        .executableTarget(
            name: "sitewatch-benchmarks",
            dependencies: [.product(name: "RasterIO", package: "SiteWatch"),
                           .product(name: "GeoRaster", package: "SiteWatch"),
                           .product(name: "RasterKernels", package: "SiteWatch"),
                           .product(name: "ChangeAnalysis", package: "SiteWatch"),
                           .product(name: "SceneSynth", package: "SiteWatch"),
                           "CTIFFBaseline"],
            path: "Sources/SiteWatchBenchmarks"),
    ],
    swiftLanguageModes: [.v5]
)
