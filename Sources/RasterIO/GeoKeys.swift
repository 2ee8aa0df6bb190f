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
    static let geogAngularUnitSize: UInt16 = 2055
    static let semiMajorAxis: UInt16 = 2057
    static let semiMinorAxis: UInt16 = 2058
    static let invFlattening: UInt16 = 2059
    static let geogAzimuthUnits: UInt16 = 2060
    static let primeMeridianLong: UInt16 = 2061
    static let towgs84: UInt16 = 2062
    static let projectedCSType: UInt16 = 3072
    static let pcsCitation: UInt16 = 3073
    static let projection: UInt16 = 3074
    static let projCoordTrans: UInt16 = 3075
    static let projLinearUnits: UInt16 = 3076
    static let projLinearUnitSize: UInt16 = 3077
    // Projection parameters: angles in GeogAngularUnits (azimuths in GeogAzimuthUnits), lengths
    // in ProjLinearUnits.
    static let stdParallel1: UInt16 = 3078
    static let stdParallel2: UInt16 = 3079
    static let natOriginLong: UInt16 = 3080
    static let natOriginLat: UInt16 = 3081
    static let falseEasting: UInt16 = 3082
    static let falseNorthing: UInt16 = 3083
    static let falseOriginLong: UInt16 = 3084
    static let falseOriginLat: UInt16 = 3085
    static let falseOriginEasting: UInt16 = 3086
    static let falseOriginNorthing: UInt16 = 3087
    static let centerLong: UInt16 = 3088
    static let centerLat: UInt16 = 3089
    static let centerEasting: UInt16 = 3090
    static let centerNorthing: UInt16 = 3091
    static let scaleAtNatOrigin: UInt16 = 3092
    static let scaleAtCenter: UInt16 = 3093
    static let azimuthAngle: UInt16 = 3094
    static let straightVertPoleLong: UInt16 = 3095
    static let rectifiedGridAngle: UInt16 = 3096

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

    /// The first value of a key held in GeoDoubleParams.
    func double(_ key: UInt16) -> Double? {
        if case .doubles(let v) = values[key] { return v.first }
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
        let pcs = short(Self.projectedCSType)
        if let code = pcs, code != Self.userDefined, code != 0 {
            let epsg = identify("EPSG:\(code)") ?? Int(code)
            // ProjLinearUnitsGeoKey may override the CRS's unit: the coordinates are then in that
            // unit, and transforming them as the CRS's own would misplace the raster.
            if short(Self.projLinearUnits) != nil, let unit = GeoKeysCRSDefinition.linearUnit(self),
               let native = CRSCatalog.linearUnitMeters(epsg: epsg), abs(native - unit.metres) > 1e-9 * native,
               let wkt = CRSCatalog.wkt(epsg: epsg, linearUnit: unit.name, metres: unit.metres) {
                return CRS(epsg: epsg, definition: wkt)
            }
            return CRS(epsg: epsg)
        }
        // As GDAL does, a CRS that ArcGIS wrote as an ESRI "PE string" citation (often with
        // GTModelTypeGeoKey user-defined) is read from that WKT; its match may be an ESRI code.
        let geographicCode = short(Self.geographicType).flatMap { $0 == Self.userDefined || $0 == 0 ? nil : $0 }
        if !(model == 2 && geographicCode != nil), let wkt = GeoKeysCRSDefinition.esriPEString(self) {
            return CRS(epsg: identify(wkt), definition: wkt)
        }
        if model == 1 || pcs != nil {
            if let definition = GeoKeysCRSDefinition.projected(self) {
                // GDAL's AutoIdentifyEPSG names a UTM zone on a WGS 84-like datum that PROJ alone
                // finds ambiguous (several datums share the ellipsoid).
                if let code = identify(definition) ?? GeoKeysCRSDefinition.utmCode(self) { return CRS(epsg: code) }
                return CRS(epsg: nil, definition: definition)
            }
            if let code = GeoKeysCRSDefinition.utmCode(self) { return CRS(epsg: code) }
            return CRS(epsg: nil, definition: description)
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
