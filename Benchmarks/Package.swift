// swift-tools-version:6.0
import PackageDescription

// A nested package so benchmarks stay outside the shipped dependency graph. Always run in release:
//   swift run -c release --package-path Benchmarks sitewatch-benchmarks
let package = Package(
    name: "SiteWatchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "SiteWatch", path: "..")],
    targets: [
        .executableTarget(
            name: "sitewatch-benchmarks",
            dependencies: [.product(name: "RasterIO", package: "SiteWatch"),
                           .product(name: "GeoRaster", package: "SiteWatch"),
                           .product(name: "ChangeAnalysis", package: "SiteWatch"),
                           .product(name: "SceneSynth", package: "SiteWatch")],
            path: "Sources/SiteWatchBenchmarks"),
    ],
    swiftLanguageModes: [.v5]
)
