import GeoRaster

/// The GeoKeyDirectory of a GeoTIFF (OGC GeoTIFF 1.1, section 7.1): keys whose values are SHORTs
/// inline, or point into GeoDoubleParams / GeoAsciiParams.
struct GeoKeys {
    enum Value: Equatable {
        case short(UInt16)
        case doubles([Double])
        case ascii(String)
    }

    // Key IDs used here (GeoTIFF 1.1, Annex C).
    static let modelType: UInt16 = 1024
    static let rasterType: UInt16 = 1025
    static let citation: UInt16 = 1026
    static let geographicType: UInt16 = 2048
    static let geogCitation: UInt16 = 2049
    static let geodeticDatum: UInt16 = 2050
    static let primeMeridian: UInt16 = 2051
    static let geogLinearUnits: UInt16 = 2052
    static let geogAngularUnits: UInt16 = 2054
    static let ellipsoid: UInt16 = 2056
    static let projectedCSType: UInt16 = 3072
    static let projection: UInt16 = 3074
    static let projCoordTrans: UInt16 = 3075
    static let projLinearUnits: UInt16 = 3076

    static let userDefined: UInt16 = 32767

    var values: [UInt16: Value] = [:]

    /// Parses the directory; malformed entries (pointing outside the parameter arrays) are dropped,
    /// as GDAL does, rather than failing the whole file.
    init(directory: [UInt16], doubles: [Double], ascii: String) throws {
        guard directory.count >= 4 else { throw GeoKeysError.malformed("GeoKeyDirectory has \(directory.count) values, needs at least 4") }
        let keyCount = Int(directory[3])
        guard directory.count >= 4 + 4 * keyCount else {
            throw GeoKeysError.malformed("GeoKeyDirectory declares \(keyCount) keys but holds \((directory.count - 4) / 4)")
        }
        let asciiBytes = Array(ascii.utf8)
        for i in 0..<keyCount {
            let entry = directory[4 + 4 * i ..< 8 + 4 * i].map { $0 }
            let (id, location, count, offset) = (entry[0], entry[1], Int(entry[2]), Int(entry[3]))
            switch location {
            case 0:
                values[id] = .short(entry[3])
            case 34736:
                guard offset + count <= doubles.count else { continue }
                values[id] = .doubles(Array(doubles[offset ..< offset + count]))
            case 34737:
                guard offset + count <= asciiBytes.count else { continue }
                var text = String(decoding: asciiBytes[offset ..< offset + count], as: UTF8.self)
                // GeoTIFF terminates each string with '|'.
                while text.hasSuffix("|") || text.hasSuffix("\0") { text.removeLast() }
                values[id] = .ascii(text)
            case 34735:
                guard offset + count <= directory.count, count >= 1 else { continue }
                values[id] = .short(directory[offset])
            default:
                continue
            }
        }
    }

    func short(_ key: UInt16) -> UInt16? {
        if case .short(let v) = values[key] { return v }
        return nil
    }

    func ascii(_ key: UInt16) -> String? {
        if case .ascii(let v) = values[key] { return v }
        return nil
    }

    var sampling: RasterSampling { short(Self.rasterType) == 2 ? .point : .area }

    /// The CRS the keys describe: an EPSG code where the keys name one, else PROJ's identification
    /// of the user-defined CRS they spell out (`identify` returns nil when nothing matches).
    func crs(identify: (String) -> Int?) -> CRS? {
        let model = short(Self.modelType)
        if model == 1 || short(Self.projectedCSType) != nil {
            if let code = short(Self.projectedCSType), code != Self.userDefined, code != 0 {
                return CRS(epsg: identify("EPSG:\(code)") ?? Int(code))
            }
            if let definition = GeoKeysCRSDefinition.projected(self), let code = identify(definition) {
                return CRS(epsg: code)
            }
            return CRS(epsg: nil, definition: GeoKeysCRSDefinition.projected(self) ?? description)
        }
        if model == 2 || short(Self.geographicType) != nil {
            if let code = short(Self.geographicType), code != Self.userDefined, code != 0 {
                return CRS(epsg: identify("EPSG:\(code)") ?? Int(code))
            }
            if let definition = GeoKeysCRSDefinition.geographic(self), let code = identify(definition) {
                return CRS(epsg: code)
            }
            return CRS(epsg: nil, definition: GeoKeysCRSDefinition.geographic(self) ?? description)
        }
        if model == 3 { return CRS(epsg: nil, definition: "geocentric (GTModelTypeGeoKey 3)") }
        return nil
    }

    /// The keys as text, for a CRS that cannot be expressed otherwise.
    var description: String {
        values.keys.sorted().map { key -> String in
            switch values[key]! {
            case .short(let v): return "\(key)=\(v)"
            case .doubles(let v): return "\(key)=\(v)"
            case .ascii(let v): return "\(key)='\(v)'"
            }
        }.joined(separator: " ")
    }
}

enum GeoKeysError: Error {
    case malformed(String)
}
