// swift-tools-version:6.0
import PackageDescription

// The SIMD kernels are compiled for AVX2 on x86-64, where it was measured to pay (../shared/STYLE.md:
// SIMD16 matched C -march=native only with -target-cpu haswell); other architectures (arm64) build
// with their defaults. The manifest is compiled for the building machine, so #if arch guards it.
#if arch(x86_64)
let cpuSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let cpuSettings: [SwiftSetting] = []
#endif
// The compute modules are optimised in debug builds too: unoptimised they run 50-500x slower,
// which would force the tests onto toy images instead of the real paths (measured: a compare of
// the fixture took 55 s in debug). Speed is still judged only in release builds (Benchmarks/).
let optimisedSettings: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
let kernelSettings = cpuSettings + optimisedSettings

// Module graph (see README "Layout"): GeoRaster imports nothing; RasterIO imports GeoRaster and
// CRasterShims, the only C code; the sitewatch CLI wires everything together.
let package = Package(
    name: "SiteWatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sitewatch", targets: ["sitewatch"]),
        .library(name: "GeoRaster", targets: ["GeoRaster"]),
        .library(name: "RasterIO", targets: ["RasterIO"]),
        .library(name: "RasterKernels", targets: ["RasterKernels"]),
        .library(name: "ChangeAnalysis", targets: ["ChangeAnalysis"]),
        .library(name: "SceneSynth", targets: ["SceneSynth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Elementary functions (sin, atan2, exp, log) for the pure modules (kernels, synth), which
        // import no C or Foundation.
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // System libraries from Debian (libtiff-dev, libpng-dev, libjpeg-dev, libproj-dev), found through pkg-config.
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        // Plain JPEG files (screenshots from desktop globe software, benchmark chips); JPEG inside
        // TIFF is libtiff's. libjpeg-turbo comes with libtiff-dev on Debian anyway.
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        // The one narrow C shim: per-handle error capture, typed wrappers for libtiff's variadic
        // calls, GeoTIFF tag registration, setjmp-guarded libpng calls, PROJ with its own context.
        .target(name: "CRasterShims", dependencies: ["CTIFF", "CPNG", "CJPEG", "CPROJ"]),
        // Pure value types: no C, no Foundation, no files.
        .target(name: "GeoRaster", swiftSettings: optimisedSettings),
        // The only home of SIMD: each kernel as Name.swift + Name+Scalar.swift + Name+SIMD.swift.
        .target(name: "RasterKernels", dependencies: ["GeoRaster", .product(name: "RealModule", package: "swift-numerics")],
                swiftSettings: kernelSettings),
        // Algorithms on rasters, never a file: common grid, co-registration, normalisation, change.
        .target(name: "ChangeAnalysis", dependencies: ["GeoRaster", "RasterKernels", .product(name: "RealModule", package: "swift-numerics")], swiftSettings: optimisedSettings),
        // Findings -> JSON / Markdown / HTML / GeoJSON (pure: no files, no Foundation).
        .target(name: "ChangeReport", dependencies: ["GeoRaster"], swiftSettings: optimisedSettings),
        // Formats -> GeoRaster. The only importer of the shim and the file system edge.
        .target(name: "RasterIO", dependencies: ["GeoRaster", "CRasterShims"], swiftSettings: optimisedSettings),
        // The synthetic scene generator: scenes with exact truth, pure (no files).
        .target(name: "SceneSynth", dependencies: ["GeoRaster", .product(name: "RealModule", package: "swift-numerics")],
                swiftSettings: optimisedSettings),
        .executableTarget(
            name: "sitewatch",
            dependencies: [
                "GeoRaster", "RasterIO", "RasterKernels", "SceneSynth", "ChangeAnalysis", "ChangeReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: optimisedSettings),
        .testTarget(name: "GeoRasterTests", dependencies: ["GeoRaster"]),
        .testTarget(name: "RasterKernelsTests", dependencies: ["RasterKernels", "GeoRaster"]),
        .testTarget(name: "ChangeAnalysisTests", dependencies: ["ChangeAnalysis", "RasterKernels", "GeoRaster", "SceneSynth"]),
        .testTarget(name: "ChangeReportTests", dependencies: ["ChangeReport", "GeoRaster"]),
        .testTarget(name: "RasterIOTests", dependencies: ["RasterIO", "GeoRaster"]),
        .testTarget(name: "SceneSynthTests", dependencies: ["SceneSynth", "GeoRaster"]),
        // Snapshots are read from the source tree by path (re-recorded with RECORD_SNAPSHOTS=1), not bundled.
        .testTarget(name: "SitewatchCLITests", dependencies: ["RasterIO", "GeoRaster"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v5]
)
