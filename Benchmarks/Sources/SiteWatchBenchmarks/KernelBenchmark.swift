import Foundation
import GeoRaster
import RasterKernels

// Each SIMD kernel and its scalar twin on 4096 x 1024 planes, in GB/s of bytes read + written,
// against memcpy of the same number of bytes. Best of 5 runs (the first pays page faults).

struct KernelResult: Codable {
    var kernel: String
    var bytes: Int
    var simdGBps: Double
    var scalarGBps: Double
    var memcpyGBps: Double
    var simdFractionOfMemcpy: Double
}

func bestSeconds(_ runs: Int = 5, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    return (0..<runs).map { _ in
        let d = clock.measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }.min()!
}

func runKernelBenchmarks(resultsFolder: String) throws {
    let w = 4096, h = 1024, n = w * h
    var state: UInt64 = 7
    func next() -> Float { state = state &* 6364136223846793005 &+ 1442695040888963407; return Float(state >> 40) / Float(1 << 24) * 255 }
    let planes = (0..<6).map { _ in (0..<n).map { _ in next() } }
    var out = [Float](repeating: 0, count: n)
    var histogram = [UInt32](repeating: 0, count: 2048)
    let bytesU8 = (0..<n).map { _ in UInt8(next()) }
    let mask = (0..<n).map { _ in next() > 200 ? UInt8(1) : 0 }
    var maskOut = [UInt8](repeating: 0, count: n)
    var scratch = [UInt8](repeating: 0, count: BinaryMorphology.scratchCount(width: w, height: h, element: .square(3)))
    var copyTarget = [UInt8](repeating: 0, count: 28 * n)
    let copySource = [UInt8](repeating: 1, count: 28 * n)

    func memcpyGBps(_ bytes: Int) -> Double {
        let s = bestSeconds {
            copyTarget.withUnsafeMutableBytes { t in copySource.withUnsafeBytes { s in t.baseAddress!.copyMemory(from: s.baseAddress!, byteCount: bytes) } }
        }
        return Double(bytes) / s / 1e9
    }

    var results: [KernelResult] = []
    func measure(_ name: String, bytes: Int, _ body: (KernelImplementation) -> Void) {
        let simd = bestSeconds { body(.simd) }, scalar = bestSeconds { body(.scalar) }
        let copy = memcpyGBps(bytes)
        let r = KernelResult(kernel: name, bytes: bytes, simdGBps: Double(bytes) / simd / 1e9, scalarGBps: Double(bytes) / scalar / 1e9,
                             memcpyGBps: copy, simdFractionOfMemcpy: Double(bytes) / simd / 1e9 / copy)
        results.append(r)
        print(String(format: "kernel %-28@ SIMD %6.2f GB/s  scalar %6.2f GB/s  memcpy %6.2f GB/s  (%.0f %% of memcpy)",
                     name as NSString, r.simdGBps, r.scalarGBps, r.memcpyGBps, 100 * r.simdFractionOfMemcpy))
    }

    planes.withUnsafeBufferPointers { p in
        measure("ChangeMagnitude (3 bands)", bytes: 7 * 4 * n) { impl in
            out.withUnsafeMutableBufferPointer { o in
                histogram.withUnsafeMutableBufferPointer { hist in
                    _ = ChangeMagnitude.compute(before: (0..<3).map { PlaneView(p[$0], width: w, height: h) },
                                                after: (3..<6).map { PlaneView(p[$0], width: w, height: h) },
                                                afterScale: [LinearScale(gain: 1.1, offset: 2), LinearScale(gain: 0.9, offset: -1), LinearScale()],
                                                magnitude: MutablePlaneView(o, width: w, height: h), histogram: hist, maxValue: 400, using: impl)
                }
            }
        }
        measure("Resampling (cubic translation)", bytes: 8 * n) { impl in
            out.withUnsafeMutableBufferPointer { o in
                Resampling.resample(PlaneView(p[0], width: w, height: h), into: MutablePlaneView(o, width: w, height: h),
                                    map: .translation(dx: 1.37, dy: -0.62), interpolation: .cubic, using: impl)
            }
        }
        measure("Resampling (bilinear, rotated)", bytes: 8 * n) { impl in
            out.withUnsafeMutableBufferPointer { o in
                Resampling.resample(PlaneView(p[0], width: w, height: h), into: MutablePlaneView(o, width: w, height: h),
                                    map: PixelAffineMap(gdalOrder: [3, 0.999, 0.01, -2, -0.01, 0.999]), interpolation: .bilinear, using: impl)
            }
        }
        measure("GradientMagnitude", bytes: 8 * n) { impl in
            out.withUnsafeMutableBufferPointer { o in
                GradientMagnitude.compute(PlaneView(p[0], width: w, height: h), into: MutablePlaneView(o, width: w, height: h), using: impl)
            }
        }
    }
    bytesU8.withUnsafeBufferPointer { b in
        measure("SampleConversion (u8 -> f32)", bytes: 5 * n) { impl in
            out.withUnsafeMutableBufferPointer { o in SampleConversion.widen(b, into: o, scale: LinearScale(gain: 1.5, offset: 2), using: impl) }
        }
    }
    mask.withUnsafeBufferPointer { m in
        measure("BinaryMorphology (open 3x3)", bytes: 2 * n) { impl in
            maskOut.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    BinaryMorphology.apply(.open, to: PlaneView(m, width: w, height: h), into: MutablePlaneView(o, width: w, height: h),
                                           element: .square(3), scratch: s, using: impl)
                }
            }
        }
        measure("ComponentLabeler (8-conn.)", bytes: n) { impl in
            let labeler = ComponentLabeler(width: w, connectivity: .eight, using: impl)
            labeler.feed(PlaneView(m, width: w, height: h))
            _ = labeler.finish()
        }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(results).write(to: URL(fileURLWithPath: resultsFolder + "/kernels.json"))
    var md = "# Kernels (release, 1 thread, 4096 x 1024 planes)\n\nGB/s of bytes read + written; memcpy copies the same number of bytes. Best of 5.\n\n"
    md += "| kernel | SIMD GB/s | scalar GB/s | SIMD / scalar | memcpy GB/s | SIMD / memcpy |\n|---|---|---|---|---|---|\n"
    for r in results {
        md += String(format: "| %@ | %.2f | %.2f | %.1fx | %.2f | %.0f %% |\n", r.kernel as NSString, r.simdGBps, r.scalarGBps,
                     r.simdGBps / r.scalarGBps, r.memcpyGBps, 100 * r.simdFractionOfMemcpy)
    }
    try md.write(toFile: resultsFolder + "/kernels.md", atomically: true, encoding: .utf8)
}

extension Array where Element == [Float] {
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<Float>]) -> R) -> R {
        var pointers: [UnsafeBufferPointer<Float>] = []
        func nest(_ i: Int) -> R {
            if i == count { return body(pointers) }
            return self[i].withUnsafeBufferPointer { pointers.append($0); return nest(i + 1) }
        }
        return nest(0)
    }
}
