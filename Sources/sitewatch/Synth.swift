import ArgumentParser
import Dispatch
import Foundation
import GeoRaster
import RasterIO
import SceneSynth

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate two dates of a realistic synthetic site with exact truth.",
        discussion: """
            Writes OUT/before/ and OUT/after/ tile folders, OUT/truth.json and OUT/preview-before.png, \
            OUT/preview-after.png. The same seed and options give byte-identical files.
            """)

    @Argument(help: "camp25 (the documented expansion) or nochange (same compound at both dates).")
    var scenario: SceneOptions.Scenario

    @Option(name: .long, help: "Output folder (must not exist or be empty).")
    var out: String

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Compound shape: rectangle, rotated, l-shaped, irregular.")
    var shape: SceneOptions.Shape = .rectangle

    @Option(name: .long, help: "Enclosed area before, m².")
    var areaBefore: Double = 580_000

    @Option(name: .long, help: "Enclosed area after, m² (camp25).")
    var areaAfter: Double = 1_000_000

    @Option(name: .long, help: "New guard posts on the new fence line (camp25).")
    var posts: Int = 17

    @Option(name: .long, help: "New buildings in the expansion (camp25); default 6-10 from the seed.")
    var buildings: Int?

    @Option(name: .long, help: "Buildings demolished inside the old compound (camp25).")
    var removedBuildings: Int = 1

    @Option(name: .long, help: "Ground sample distance of the before date, metres.")
    var gsd: Double = 0.5

    @Option(name: .long, help: "Ground sample distance of the after date, metres (default: as before).")
    var gsdAfter: Double?

    @Option(name: .long, help: "Offset of the after grid's origin in after pixels, X,Y.")
    var afterGridOffset: DoublePair = DoublePair(values: [0.37, 0.61])

    @Option(name: .long, help: "Misregistration of the after date in metres east,north (default: 1-3 px from the seed).")
    var misregistration: DoublePair?

    @Option(name: .long, help: "Cloud cover fraction of the before date, 0-0.5.")
    var cloudBefore: Double = 0

    @Option(name: .long, help: "Cloud cover fraction of the after date, 0-0.5.")
    var cloudAfter: Double = 0

    @Option(name: .long, help: "Samples: rgb8 (8-bit RGB) or rgbn16 (11-bit RGB + NIR in 16 bits).")
    var dataType: SceneOptions.SampleFormat = .rgb8

    @Option(name: .long, help: "Edge of the square scene, metres.")
    var sceneSize: Double = 2000

    @Option(name: .long, help: "Tile edge in pixels.")
    var tileSize: Int = 1024

    @Option(name: .long, help: "Tile format: geotiff or png (PNG + world file + .prj).")
    var format: TileFormat = .geotiff

    @Option(name: .long, help: "GeoTIFF compression: lzw, deflate, none, or jpeg (lossy YCbCr, quality 90; rgb8 only).")
    var compression: GeoTIFFWriter.Compression = .deflate

    @Option(name: .long, help: "Longest edge of the preview PNGs, pixels.")
    var previewSize: Int = 1024

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    enum TileFormat: String, ExpressibleByArgument, CaseIterable { case geotiff, png }

    func validate() throws {
        if let problem = options.problem { throw ValidationError(problem) }
        guard tileSize >= 64 else { throw ValidationError("--tile-size must be at least 64") }
        guard previewSize >= 16 else { throw ValidationError("--preview-size must be at least 16") }
        guard compression != .jpeg || (dataType == .rgb8 && format == .geotiff) else {
            throw ValidationError("--compression jpeg needs --data-type rgb8 and --format geotiff")
        }
    }

    var options: SceneOptions {
        SceneOptions(scenario: scenario, seed: seed, shape: shape, areaBeforeSquareMeters: areaBefore,
                     areaAfterSquareMeters: areaAfter, newGuardPosts: posts, newBuildings: buildings,
                     removedBuildings: removedBuildings, gsdBeforeMeters: gsd, gsdAfterMeters: gsdAfter,
                     afterGridOffsetPixels: afterGridOffset.values, misregistrationMeters: misregistration?.values,
                     cloudCoverBefore: cloudBefore, cloudCoverAfter: cloudAfter, sampleFormat: dataType,
                     sceneSizeMeters: sceneSize)
    }

    func run() throws {
        try SiteWatch.reportingErrors {
            let clock = ContinuousClock()
            let start = clock.now
            let scene = Scene(options: options)
            // Everything is written into a temporary sibling folder and renamed at the end, so an
            // interrupted run leaves no half-written scene.
            let staging = try OutputFolder(out)
            for date in ["before", "after"] {
                let raster = Self.render(SceneRenderer(scene: scene, date: date))
                try writeTiles(raster, to: staging.path + "/" + date, acquisitionDate: scene.truth.conditions[date]?.acquisitionDate)
                try PNGFile.write(Preview.make(raster, maximum: dataType == .rgb8 ? 255 : 2047, longestEdge: previewSize),
                                  to: staging.path + "/preview-\(date).png")
                if !quiet { print("\(date): \(raster.width) x \(raster.height) px at \(scene.truth.grids[date]!.gsdMeters) m") }
            }
            try FileChecks.writeAtomically(Array(TruthJSON.encode(scene.truth).utf8), to: staging.path + "/truth.json")
            // The true outlines as an analyst would hand them to `compare --perimeter-before/after`.
            for (date, compound) in [("before", scene.truth.compoundBefore), ("after", scene.truth.compoundAfter)] {
                let ring = try CoordinateTransform.toLonLat(compound.polygon.counterClockwise.ring, from: CRS(epsg: scene.truth.epsg))
                let coordinates = (ring + [ring[0]]).map { String(format: "[%.7f, %.7f]", $0.longitude, $0.latitude) }.joined(separator: ", ")
                let geojson = "{\"type\": \"Polygon\", \"coordinates\": [[\(coordinates)]]}\n"
                try FileChecks.writeAtomically(Array(geojson.utf8), to: staging.path + "/truth-perimeter-\(date).geojson")
            }
            try staging.commit()
            if !quiet {
                let t = scene.truth
                print(String(format: "compound %.0f -> %.0f m² (%+.2f %%), %d new posts, %d new buildings; %@ in %.1f s",
                             t.compoundBefore.areaSquareMeters, t.compoundAfter.areaSquareMeters, t.growthPercent,
                             t.newGuardPostIDs.count, t.newBuildingIDs.count, out as NSString,
                             Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)))
            }
        }
    }

    /// Renders row bands on all cores; the result does not depend on the order.
    static func render(_ renderer: SceneRenderer) -> Raster {
        let grid = renderer.grid
        var planes = [Float](repeating: 0, count: grid.width * grid.height * renderer.bandCount)
        let band = 32
        planes.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: (grid.height + band - 1) / band) { i in
                renderer.renderRows(i * band..<min(grid.height, (i + 1) * band), into: shared.value)
            }
        }
        var raster = renderer.emptyRaster()
        planes.withUnsafeMutableBufferPointer { renderer.finish($0, into: &raster) }
        return raster
    }

    func writeTiles(_ raster: Raster, to folder: String, acquisitionDate: String?) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let transform = raster.georeferencing!.transform
        for y in stride(from: 0, to: raster.height, by: tileSize) {
            for x in stride(from: 0, to: raster.width, by: tileSize) {
                let window = PixelWindow(x: x, y: y, width: min(tileSize, raster.width - x), height: min(tileSize, raster.height - y))
                var tile = Raster(layout: RasterLayout(width: window.width, height: window.height, bandCount: raster.bandCount,
                                                       pixelType: raster.pixelType),
                                  georeferencing: Georeferencing(transform: transform.window(window), crs: raster.georeferencing!.crs))
                let sampleBytes = raster.pixelType.bytesPerSample
                raster.samples.withUnsafeBytes { source in
                    tile.samples.withUnsafeMutableBytes { target in
                        for b in 0..<raster.bandCount {
                            for row in 0..<window.height {
                                let from = ((b * raster.height + y + row) * raster.width + x) * sampleBytes
                                let to = ((b * window.height + row) * window.width) * sampleBytes
                                (target.baseAddress! + to).copyMemory(from: source.baseAddress! + from, byteCount: window.width * sampleBytes)
                            }
                        }
                    }
                }
                let name = "\(folder)/tile_\(y / tileSize)_\(x / tileSize)"
                switch format {
                case .geotiff: try GeoTIFFWriter.write(tile, to: name + ".tif", options: { var o = GeoTIFFWriter.Options(compression: compression, blocks: .tiles(256)); o.acquisitionDate = acquisitionDate; return o }())
                case .png: try PNGFile.write(tile, to: name + ".png")
                }
            }
        }
    }
}

extension SceneOptions.Scenario: ExpressibleByArgument {}
extension SceneOptions.Shape: ExpressibleByArgument {}
extension SceneOptions.SampleFormat: ExpressibleByArgument {}
extension GeoTIFFWriter.Compression: ExpressibleByArgument {}

/// "X,Y" on the command line.
struct DoublePair: ExpressibleByArgument {
    var values: [Double]
    init(values: [Double]) { self.values = values }
    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let x = parts[0], let y = parts[1] else { return nil }
        values = [x, y]
    }
}

/// A buffer shared by concurrent writers of disjoint ranges.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// An output folder built under a temporary name and renamed into place when complete.
struct OutputFolder {
    let target: String
    let path: String

    init(_ target: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: target))?.isEmpty == true else {
                throw RasterIOError(.io, path: target, "output folder exists and is not empty; choose a new folder")
            }
        }
        self.target = target
        var base = target
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        path = base + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: path)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RasterIOError(.io, path: target, "cannot create output folder", cause: "\(error.localizedDescription)")
        }
    }

    func commit() throws {
        try? FileManager.default.removeItem(atPath: target)  // only ever an empty folder, checked above
        guard rename(path, target) == 0 else {
            throw RasterIOError(.io, path: target, "cannot move the finished output into place", cause: String(cString: strerror(errno)))
        }
    }
}

/// Downsampled 8-bit RGB previews.
enum Preview {
    static func make(_ raster: Raster, maximum: Double, longestEdge: Int) -> Raster {
        let factor = max(1, Int((Double(max(raster.width, raster.height)) / Double(longestEdge)).rounded(.up)))
        let width = raster.width / factor, height = raster.height / factor
        var out = Raster(layout: RasterLayout(width: width, height: height, bandCount: 3, pixelType: .uint8))
        for band in 0..<3 {
            out.withMutableBand(band, as: UInt8.self) { target in
                for y in 0..<height {
                    for x in 0..<width {
                        var sum = 0.0
                        for sy in 0..<factor { for sx in 0..<factor { sum += raster.value(x: x * factor + sx, y: y * factor + sy, band: band) } }
                        target[y * width + x] = UInt8(max(0, min(255, (sum / Double(factor * factor)) / maximum * 255 + 0.5)))
                    }
                }
            }
        }
        return out
    }
}

struct SnakeKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// truth.json: snake_case keys, sorted, so equal scenes give equal bytes.
enum TruthJSON {
    static func encode(_ truth: SceneTruth) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // snake_case, with "IDs" as "_ids" rather than the default's "_i_ds".
        encoder.keyEncodingStrategy = .custom { path in
            let key = path.last!.stringValue.replacingOccurrences(of: "IDs", with: "Ids")
            var snake = ""
            for character in key {
                if character.isUppercase { snake += "_" + character.lowercased() } else { snake.append(character) }
            }
            return SnakeKey(stringValue: snake)
        }
        return String(decoding: try encoder.encode(truth), as: UTF8.self) + "\n"
    }

    /// The inverse of `encode`: "_ids" back to "IDs".
    static func decode(_ data: Data) throws -> SceneTruth {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let parts = path.last!.stringValue.split(separator: "_")
            let camel = parts.enumerated().map { $0.offset == 0 ? String($0.element) : ($0.element == "ids" ? "IDs" : $0.element.capitalized) }.joined()
            return SnakeKey(stringValue: camel)
        }
        return try decoder.decode(SceneTruth.self, from: data)
    }
}
