/// Definitions of the user-defined CRSs that GeoKeys spell out parameter by parameter, so that
/// PROJ can identify them with an EPSG code the way GDAL does (gdal frmts/gtiff/gt_wkt_srs.cpp,
/// GTIFGetOGISDefnAsOSR, then OGRSpatialReference::FindMatches).
enum GeoKeysCRSDefinition {
    /// A user-defined geographic CRS. A known EPSG datum with degrees and the Greenwich meridian
    /// is the EPSG geographic CRS of that datum (EPSG numbers datum 6xxx's CRS as 4xxx); other
    /// units or meridians are spelled out as WKT 1, in the keys' angular unit (the unit of the
    /// raster's coordinates), which PROJ can use though it matches no EPSG code.
    static func geographic(_ keys: GeoKeys) -> String? {
        let angular = keys.short(GeoKeys.geogAngularUnits) ?? 9102
        let meridian = keys.short(GeoKeys.primeMeridian) ?? 8901
        if let datum = keys.short(GeoKeys.geodeticDatum), (6001...6999).contains(datum),
           angular == 9102, meridian == 8901, keys.double(GeoKeys.primeMeridianLong) ?? 0 == 0 {
            return "EPSG:\(Int(datum) - 2000)"
        }
        return geogcsWKT(keys, inKeyUnits: true)
    }

    /// A user-defined projected CRS as GDAL-flavoured WKT 1, or nil when the keys do not say
    /// enough (an unknown coordinate transformation, unit or ellipsoid).
    ///
    /// WKT 1 rather than a PROJ string because GDAL's identification leans on names: the CRS name
    /// from GTCitationGeoKey and the EPSG code of the geographic CRS (AUTHORITY) are what make
    /// e.g. "ETRS89 / LAEA Europe" a unique match for EPSG:3035. There are no AXIS nodes: GeoTIFF
    /// model space is always x = easting, y = northing, whatever axis order the EPSG CRS declares,
    /// and without AXIS PROJ does not reject northing-first CRSs such as EPSG:3035.
    static func projected(_ keys: GeoKeys) -> String? {
        guard let geogcs = geogcsWKT(keys), let unit = linearUnit(keys),
              let projection = projectionWKT(keys) else { return nil }
        let name = clean(citationName(keys.ascii(GeoKeys.citation) ?? keys.ascii(GeoKeys.pcsCitation),
                                      field: "PCS Name") ?? "unnamed")
        return "PROJCS[\"\(name)\",\(geogcs),\(projection),UNIT[\"\(unit.name)\",\(format(unit.metres))\(authority(unit.code))]]"
    }

    /// The WKT of an ESRI "PE String" that ArcGIS (and GDAL for CRSs GeoKeys cannot express)
    /// stores in a citation key; GDAL reads such a CRS from the string rather than the keys.
    static func esriPEString(_ keys: GeoKeys) -> String? {
        let prefix = "ESRI PE String = "
        for key in [GeoKeys.pcsCitation, GeoKeys.citation, GeoKeys.geogCitation] {
            if let text = keys.ascii(key), text.hasPrefix(prefix) { return String(text.dropFirst(prefix.count)) }
        }
        return nil
    }

    /// GDAL's OGRSpatialReference::AutoIdentifyEPSG rule for UTM: a UTM zone on WGS 84, WGS 72,
    /// NAD83 or NAD27 is EPSG 326zz/327zz, 322zz/323zz, 269zz or 267zz. It names the CRS when the
    /// datum is user-defined ("Unknown datum based upon the WGS 84 ellipsoid"), where PROJ finds
    /// several CRSs on that ellipsoid equally likely.
    static func utmCode(_ keys: GeoKeys) -> Int? {
        guard keys.short(GeoKeys.projLinearUnits) ?? 9001 == 9001,
              let (zone, north) = utmZone(keys), let family = geographicFamily(keys) else { return nil }
        switch family {
        case .wgs84: return (north ? 32600 : 32700) + zone
        case .wgs72: return (north ? 32200 : 32300) + zone
        case .nad83: return north && (3...23).contains(zone) ? 26900 + zone : nil
        case .nad27: return north && (3...22).contains(zone) ? 26700 + zone : nil
        }
    }

    // MARK: - Geographic part

    /// GEOGCS[...]: from the EPSG geographic CRS when GeographicTypeGeoKey names one (with its
    /// AUTHORITY, which PROJ uses to pick candidates), else from the datum, ellipsoid and prime
    /// meridian keys. Angles are in degrees, or with `inKeyUnits` in GeogAngularUnitsGeoKey's unit
    /// (the prime meridian too: PROJ reads WKT 1's PRIMEM in the GEOGCS unit).
    private static func geogcsWKT(_ keys: GeoKeys, inKeyUnits: Bool = false) -> String? {
        let citation = keys.ascii(GeoKeys.geogCitation)
        let gcsCode = coded(keys.short(GeoKeys.geographicType))
        let datumCode = coded(keys.short(GeoKeys.geodeticDatum))
        let ellipsoidCode = coded(keys.short(GeoKeys.ellipsoid))

        // The ellipsoid: keys first (GDAL writes them even for EPSG CRSs), else PROJ's database,
        // reached through the EPSG geographic CRS of the GCS, datum (6xxx -> 4xxx) or ellipsoid
        // (70xx -> 40xx "Unknown datum based upon the ... ellipsoid").
        var spheroid: (a: Double, rf: Double)?
        if let a = keys.double(GeoKeys.semiMajorAxis) {
            if let rf = keys.double(GeoKeys.invFlattening) {
                spheroid = (a, rf)
            } else if let b = keys.double(GeoKeys.semiMinorAxis) {
                spheroid = (a, a == b ? 0 : a / (a - b))
            } else {
                spheroid = (a, 0)  // GDAL: a semi-major axis alone is a sphere.
            }
        }
        var databaseGCS = gcsCode.map { Int($0) }
        if databaseGCS == nil, let datum = datumCode, (6001...6999).contains(datum) { databaseGCS = Int(datum) - 2000 }
        if databaseGCS == nil, let ellipsoid = ellipsoidCode, (7001...7054).contains(ellipsoid) {
            databaseGCS = Int(ellipsoid) - 3000
        }
        // The EPSG geographic CRS itself when it is in degrees: PROJ reads the datum name of its
        // (ESRI-dialect) WKT, so the CRS keeps its datum (+datum=NAD83, not just +ellps=GRS80) for
        // transformations and matches its EPSG code at 100 %.
        if let code = gcsCode, !inKeyUnits, keys.values[GeoKeys.towgs84] == nil,
           let wkt = CRSCatalog.wkt(epsg: Int(code)), wkt.hasPrefix("GEOGCS["), wkt.hasSuffix("]"),
           let unit = numbers(after: "UNIT[", in: wkt)?.first, abs(unit - Double.pi / 180) < 1e-15 {
            return wkt.dropLast() + "\(authority(code))]"
        }
        var primeMeridian = 0.0
        if let code = databaseGCS, let known = databaseGeographic(code) {
            if spheroid == nil || gcsCode != nil { spheroid = known.spheroid }
            primeMeridian = known.primeMeridian
        }
        guard let spheroid else { return nil }
        if gcsCode == nil {
            if let longitude = keys.double(GeoKeys.primeMeridianLong) {
                guard let degrees = angleInDegrees(longitude, keys: keys) else { return nil }
                primeMeridian = degrees
            } else if let code = keys.short(GeoKeys.primeMeridian), code != 8901 {
                guard let degrees = primeMeridianDegrees[code] else { return nil }
                primeMeridian = degrees
            }
        }

        let fields = citationFields(citation)
        let gcsName: String
        if let code = gcsCode, let described = CRSCatalog.describe(epsg: Int(code)) {
            gcsName = described.name
        } else {
            gcsName = fields["GCS Name"] ?? (fields.isEmpty ? citation : nil) ?? "unknown"
        }
        let datumName = fields["Datum"] ?? "unknown"
        let ellipsoidName = fields["Ellipsoid"] ?? "unknown"
        var towgs84 = ""
        if case .doubles(let shift) = keys.values[GeoKeys.towgs84], shift.count == 3 || shift.count == 7 {
            let seven = shift.count == 3 ? shift + [0, 0, 0, 0] : shift
            towgs84 = ",TOWGS84[" + seven.map(format).joined(separator: ",") + "]"
        }
        var unit = (name: "degree", degrees: 1.0)
        if inKeyUnits {
            let code = keys.short(GeoKeys.geogAngularUnits) ?? 9102
            guard let degrees = degreesPerUnit(keys, unitKey: GeoKeys.geogAngularUnits) else { return nil }
            unit = (angularUnitNames[code] ?? "unknown", degrees)
            primeMeridian /= degrees
        }
        return "GEOGCS[\"\(clean(gcsName))\","
            + "DATUM[\"\(clean(datumName))\",SPHEROID[\"\(clean(ellipsoidName))\",\(format(spheroid.a)),\(format(spheroid.rf))"
            + "\(authority(ellipsoidCode))]\(towgs84)\(authority(datumCode))],"
            + "PRIMEM[\"\(primeMeridian == 0 ? "Greenwich" : "unknown")\",\(format(primeMeridian))],"
            + "UNIT[\"\(unit.name)\",\(unit.degrees == 1 ? "0.0174532925199433" : "\(unit.degrees * Double.pi / 180)")]"
            + "\(authority(gcsCode))]"
    }

    /// Ellipsoid and prime meridian (degrees) of an EPSG geographic CRS. The shim exposes PROJ's
    /// database as ESRI WKT only, whose SPHEROID and PRIMEM nodes carry exactly these numbers.
    private static func databaseGeographic(_ code: Int) -> (spheroid: (a: Double, rf: Double), primeMeridian: Double)? {
        guard let wkt = CRSCatalog.wkt(epsg: code),
              let spheroid = numbers(after: "SPHEROID[", in: wkt), spheroid.count >= 2 else { return nil }
        let meridian = numbers(after: "PRIMEM[", in: wkt)?.first ?? 0
        return ((spheroid[0], spheroid[1]), meridian)
    }

    /// The numeric arguments of the first `node` in a WKT string (its quoted name skipped).
    private static func numbers(after node: String, in wkt: String) -> [Double]? {
        guard let start = wkt.range(of: node) else { return nil }
        let rest = wkt[start.upperBound...]
        guard let end = rest.firstIndex(of: "]") else { return nil }
        return rest[..<end].split(separator: ",").dropFirst().compactMap { Double($0.trimmingSpaces) }
    }

    private enum GeographicFamily { case wgs84, wgs72, nad83, nad27 }

    /// Which of AutoIdentifyEPSG's datums the geographic CRS is: by EPSG code, else (as GDAL's
    /// GetEPSGGeogCS does) by the "WGS"/"NAD" and "84"/"72"/"83"/"27" in its names.
    private static func geographicFamily(_ keys: GeoKeys) -> GeographicFamily? {
        switch coded(keys.short(GeoKeys.geographicType)) ?? coded(keys.short(GeoKeys.geodeticDatum)).map({ $0 - 2000 }) {
        case 4326: return .wgs84
        case 4322: return .wgs72
        case 4269: return .nad83
        case 4267: return .nad27
        case nil: break
        default: return nil
        }
        let fields = citationFields(keys.ascii(GeoKeys.geogCitation))
        let names = [fields["GCS Name"], fields["Datum"], fields.isEmpty ? keys.ascii(GeoKeys.geogCitation) : nil]
            .compactMap { $0 }.joined(separator: " ")
        let wgs = names.contains("WGS") || names.contains("World Geodetic System")
        let nad = names.contains("NAD") || names.contains("North American")
        if wgs && names.contains("84") { return .wgs84 }
        if wgs && names.contains("72") { return .wgs72 }
        if nad && names.contains("83") { return .nad83 }
        if nad && names.contains("27") { return .nad27 }
        return nil
    }

    /// The UTM zone of ProjectionGeoKey (EPSG conversions 16001-16060 north, 16101-16160 south),
    /// or of Transverse Mercator parameters that are a UTM zone's.
    private static func utmZone(_ keys: GeoKeys) -> (zone: Int, north: Bool)? {
        if let code = keys.short(GeoKeys.projection) {
            if (16001...16060).contains(code) { return (Int(code) - 16000, true) }
            if (16101...16160).contains(code) { return (Int(code) - 16100, false) }
        }
        guard keys.short(GeoKeys.projCoordTrans) == 1, let p = Parameters(keys),
              p.latitude([GeoKeys.natOriginLat]) == 0, p.scale([GeoKeys.scaleAtNatOrigin]) == 0.9996,
              p.length([GeoKeys.falseEasting]) == 500_000 else { return nil }
        let zone = (p.longitude([GeoKeys.natOriginLong]) + 183) / 6
        guard zone == zone.rounded(), (1...60).contains(zone) else { return nil }
        switch p.length([GeoKeys.falseNorthing]) {
        case 0: return (Int(zone), true)
        case 10_000_000: return (Int(zone), false)
        default: return nil
        }
    }

    // MARK: - Projection

    /// The parameter keys of the projection, read as libgeotiff's GTIFFetchProjParms does: each
    /// parameter from the first key present in a list of synonyms, angles converted to degrees.
    private struct Parameters {
        let keys: GeoKeys
        let degreesPerAngularUnit: Double
        let degreesPerAzimuthUnit: Double

        init?(_ keys: GeoKeys) {
            guard let angular = GeoKeysCRSDefinition.degreesPerUnit(keys, unitKey: GeoKeys.geogAngularUnits) else { return nil }
            self.keys = keys
            degreesPerAngularUnit = angular
            degreesPerAzimuthUnit = keys.short(GeoKeys.geogAzimuthUnits) == nil
                ? angular : GeoKeysCRSDefinition.degreesPerUnit(keys, unitKey: GeoKeys.geogAzimuthUnits) ?? angular
        }

        private func first(_ ids: [UInt16]) -> Double? { ids.lazy.compactMap { keys.double($0) }.first }

        func latitude(_ ids: [UInt16]) -> Double { (first(ids) ?? 0) * degreesPerAngularUnit }
        func longitude(_ ids: [UInt16]) -> Double { (first(ids) ?? 0) * degreesPerAngularUnit }
        func azimuth(_ ids: [UInt16], default value: Double = 0) -> Double { (first(ids) ?? value / degreesPerAzimuthUnit) * degreesPerAzimuthUnit }
        func scale(_ ids: [UInt16]) -> Double { first(ids) ?? 1 }
        /// Lengths stay in ProjLinearUnits, the unit of the WKT's PROJCS.
        func length(_ ids: [UInt16]) -> Double { first(ids) ?? 0 }
        func has(_ id: UInt16) -> Bool { keys.double(id) != nil }
    }

    /// PROJECTION[...] and its PARAMETERs, named as GDAL's WKT 1 names them, for the GeoTIFF
    /// coordinate transformation codes (GeoTIFF 1.1 Annex; libgeotiff geo_ctrans.inc) that
    /// gt_wkt_srs.cpp maps. A ProjectionGeoKey that is an EPSG UTM conversion needs no CT key.
    private static func projectionWKT(_ keys: GeoKeys) -> String? {
        guard let p = Parameters(keys) else { return nil }
        // Synonym lists, in libgeotiff's order of preference.
        let natLat = [GeoKeys.natOriginLat, GeoKeys.falseOriginLat, GeoKeys.centerLat]
        let natLong = [GeoKeys.natOriginLong, GeoKeys.falseOriginLong, GeoKeys.centerLong]
        let centerLat = [GeoKeys.centerLat, GeoKeys.natOriginLat, GeoKeys.falseOriginLat]
        let centerLong = [GeoKeys.centerLong, GeoKeys.natOriginLong, GeoKeys.falseOriginLong]
        let falseLat = [GeoKeys.falseOriginLat, GeoKeys.natOriginLat, GeoKeys.centerLat]
        let falseLong = [GeoKeys.falseOriginLong, GeoKeys.natOriginLong, GeoKeys.centerLong]
        let easting = [GeoKeys.falseEasting, GeoKeys.centerEasting, GeoKeys.falseOriginEasting]
        let northing = [GeoKeys.falseNorthing, GeoKeys.centerNorthing, GeoKeys.falseOriginNorthing]
        let falseOriginEasting = [GeoKeys.falseOriginEasting, GeoKeys.falseEasting, GeoKeys.centerEasting]
        let falseOriginNorthing = [GeoKeys.falseOriginNorthing, GeoKeys.falseNorthing, GeoKeys.centerNorthing]
        let natScale = [GeoKeys.scaleAtNatOrigin, GeoKeys.scaleAtCenter]
        let centerScale = [GeoKeys.scaleAtCenter, GeoKeys.scaleAtNatOrigin]
        let fe = p.length(easting), fn = p.length(northing)

        var transform = keys.short(GeoKeys.projCoordTrans).flatMap(coded)
        var utm: (longitude: Double, northing: Double)?
        if transform == nil, let code = keys.short(GeoKeys.projection) {
            // libgeotiff computes UTM conversions rather than reading them from the database.
            if (16001...16060).contains(code) { utm = (Double(code - 16000) * 6 - 183, 0) }
            if (16101...16160).contains(code) { utm = (Double(code - 16100) * 6 - 183, 10_000_000) }
            if utm != nil { transform = 1 }
        }
        guard let transform else { return nil }
        let longitude = p.longitude(natLong)

        func wkt(_ name: String, _ parameters: [(String, Double)]) -> String {
            "PROJECTION[\"\(name)\"]" + parameters.map { ",PARAMETER[\"\($0.0)\",\(format($0.1))]" }.joined()
        }
        switch transform {
        case 1 where utm != nil:  // Transverse Mercator, from the UTM zone
            guard let utm else { return nil }
            return wkt("Transverse_Mercator", [("latitude_of_origin", 0), ("central_meridian", utm.longitude),
                                               ("scale_factor", 0.9996), ("false_easting", 500_000),
                                               ("false_northing", utm.northing)])
        case 1, 27:  // CT_TransverseMercator, CT_TransvMercator_SouthOriented
            return wkt(transform == 1 ? "Transverse_Mercator" : "Transverse_Mercator_South_Orientated",
                       [("latitude_of_origin", p.latitude(natLat)), ("central_meridian", longitude),
                        ("scale_factor", p.scale(natScale)), ("false_easting", fe), ("false_northing", fn)])
        case 3, 9815, 4:  // CT_ObliqueMercator (Hotine variant A), ..AzimuthCenter (variant B), .._Laborde
            let center = [("latitude_of_center", p.latitude(centerLat)),
                          ("longitude_of_center", p.longitude(centerLong)),
                          ("azimuth", p.azimuth([GeoKeys.azimuthAngle]))]
            let tail = [("scale_factor", p.scale(centerScale)), ("false_easting", fe), ("false_northing", fn)]
            if transform == 4 { return wkt("Laborde_Oblique_Mercator", center + tail) }
            // libgeotiff: the rectified grid angle defaults to 90 degrees.
            let gridAngle = ("rectified_grid_angle", p.azimuth([GeoKeys.rectifiedGridAngle], default: 90))
            return wkt(transform == 3 ? "Hotine_Oblique_Mercator" : "Hotine_Oblique_Mercator_Azimuth_Center",
                       center + [gridAngle] + tail)
        case 7:  // CT_Mercator: 2SP when a standard parallel is given, else 1SP
            if p.has(GeoKeys.stdParallel1) {
                return wkt("Mercator_2SP", [("standard_parallel_1", p.latitude([GeoKeys.stdParallel1])),
                                            ("latitude_of_origin", p.latitude(natLat)), ("central_meridian", longitude),
                                            ("false_easting", fe), ("false_northing", fn)])
            }
            // Mercator (variant A) has its origin on the equator; as OGR's SetMercator does, a
            // non-zero origin latitude with unit scale is a standard parallel. With another scale
            // the keys contradict the method: keep the latitude, as GDAL does, and PROJ then
            // refuses the CRS (georust-geotiff/merc.tif: "No inverse operation") rather than
            // SiteWatch silently measuring in a CRS the file does not define.
            let latitude = p.latitude(natLat), scale = p.scale(natScale)
            if latitude != 0 && scale == 1 {
                return wkt("Mercator_2SP", [("standard_parallel_1", latitude), ("latitude_of_origin", 0),
                                            ("central_meridian", longitude), ("false_easting", fe), ("false_northing", fn)])
            }
            return wkt("Mercator_1SP", [("latitude_of_origin", latitude), ("central_meridian", longitude),
                                        ("scale_factor", scale), ("false_easting", fe), ("false_northing", fn)])
        case 8:  // CT_LambertConfConic_2SP: false origin
            return wkt("Lambert_Conformal_Conic_2SP",
                       [("standard_parallel_1", p.latitude([GeoKeys.stdParallel1])),
                        ("standard_parallel_2", p.latitude([GeoKeys.stdParallel2])),
                        ("latitude_of_origin", p.latitude(falseLat)), ("central_meridian", p.longitude(falseLong)),
                        ("false_easting", p.length(falseOriginEasting)), ("false_northing", p.length(falseOriginNorthing))])
        case 9, 14, 16:  // CT_LambertConfConic_1SP, CT_Stereographic, CT_ObliqueStereographic
            let name = transform == 9 ? "Lambert_Conformal_Conic_1SP" : transform == 14 ? "Stereographic" : "Oblique_Stereographic"
            return wkt(name, [("latitude_of_origin", p.latitude(natLat)), ("central_meridian", longitude),
                              ("scale_factor", p.scale(natScale)), ("false_easting", fe), ("false_northing", fn)])
        case 15:  // CT_PolarStereographic: the pole's straight vertical longitude is the meridian
            let meridian = p.longitude([GeoKeys.straightVertPoleLong] + natLong)
            return wkt("Polar_Stereographic", [("latitude_of_origin", p.latitude(natLat)), ("central_meridian", meridian),
                                               ("scale_factor", p.scale(natScale)), ("false_easting", fe), ("false_northing", fn)])
        case 10, 12, 20:  // CT_LambertAzimEqualArea, CT_AzimuthalEquidistant, CT_MillerCylindrical
            let name = transform == 10 ? "Lambert_Azimuthal_Equal_Area" : transform == 12 ? "Azimuthal_Equidistant" : "Miller_Cylindrical"
            return wkt(name, [("latitude_of_center", p.latitude(centerLat)), ("longitude_of_center", p.longitude(centerLong)),
                              ("false_easting", fe), ("false_northing", fn)])
        case 11, 13:  // CT_AlbersEqualArea, CT_EquidistantConic
            return wkt(transform == 11 ? "Albers_Conic_Equal_Area" : "Equidistant_Conic",
                       [("standard_parallel_1", p.latitude([GeoKeys.stdParallel1])),
                        ("standard_parallel_2", p.latitude([GeoKeys.stdParallel2])),
                        ("latitude_of_center", p.latitude(natLat)), ("longitude_of_center", longitude),
                        ("false_easting", fe), ("false_northing", fn)])
        case 17:  // CT_Equirectangular
            return wkt("Equirectangular", [("latitude_of_origin", p.latitude(centerLat)),
                                           ("central_meridian", p.longitude(centerLong)),
                                           ("standard_parallel_1", p.latitude([GeoKeys.stdParallel1])),
                                           ("false_easting", fe), ("false_northing", fn)])
        case 18, 19, 21, 22, 26:  // Cassini-Soldner, Gnomonic, Orthographic, Polyconic, New Zealand Map Grid
            let names: [UInt16: String] = [18: "Cassini_Soldner", 19: "Gnomonic", 21: "Orthographic",
                                           22: "Polyconic", 26: "New_Zealand_Map_Grid"]
            guard let name = names[transform] else { return nil }
            return wkt(name, [("latitude_of_origin", p.latitude(natLat)), ("central_meridian", longitude),
                              ("false_easting", fe), ("false_northing", fn)])
        case 23, 24:  // CT_Robinson, CT_Sinusoidal
            return wkt(transform == 23 ? "Robinson" : "Sinusoidal",
                       [("longitude_of_center", p.longitude(centerLong)), ("false_easting", fe), ("false_northing", fn)])
        case 25:  // CT_VanDerGrinten
            return wkt("VanDerGrinten", [("central_meridian", longitude), ("false_easting", fe), ("false_northing", fn)])
        case 28:  // CT_CylindricalEqualArea
            return wkt("Cylindrical_Equal_Area", [("standard_parallel_1", p.latitude([GeoKeys.stdParallel1])),
                                                  ("central_meridian", longitude),
                                                  ("false_easting", fe), ("false_northing", fn)])
        default:  // Modified Alaska, Rosenmund, spherical oblique Mercator: no WKT 1 method
            return nil
        }
    }

    // MARK: - Units

    /// EPSG linear units (GeoTIFF 1.1 Annex B.2 / EPSG unit of measure table): name, metres.
    private static let linearUnits: [UInt16: (name: String, metres: Double)] = [
        9001: ("metre", 1), 9002: ("foot", 0.3048), 9003: ("US survey foot", 1200.0 / 3937),
        9005: ("Clarke's foot", 0.3047972654), 9030: ("nautical mile", 1852),
        9031: ("German legal metre", 1.0000135965), 9033: ("US survey chain", 79200.0 / 3937),
        9034: ("US survey link", 792.0 / 3937), 9035: ("US survey mile", 6336000.0 / 3937),
        9036: ("kilometre", 1000), 9037: ("Clarke's yard", 0.9143917962), 9038: ("Clarke's chain", 20.1166195164),
        9039: ("Clarke's link", 0.201166195164), 9040: ("British yard (Sears 1922)", 36 / 39.370147),
        9041: ("British foot (Sears 1922)", 12 / 39.370147), 9042: ("British chain (Sears 1922)", 792 / 39.370147),
        9043: ("British link (Sears 1922)", 7.92 / 39.370147), 9050: ("British yard (Benoit 1895 A)", 0.9143992),
        9060: ("British yard (Benoit 1895 B)", 36 / 39.370113), 9070: ("British foot (1865)", 0.30480083333333),
        9080: ("Indian foot", 12 / 39.370142), 9081: ("Indian foot (1937)", 0.30479841),
        9082: ("Indian foot (1962)", 0.3047996), 9083: ("Indian foot (1975)", 0.3047995),
        9084: ("Indian yard", 36 / 39.370142), 9085: ("Indian yard (1937)", 0.91439523),
        9093: ("Statute mile", 1609.344), 9094: ("Gold Coast foot", 0.3047997101815),
        9095: ("British foot (1936)", 0.3048007491), 9096: ("yard", 0.9144), 9097: ("chain", 20.1168),
        9098: ("link", 0.201168), 9099: ("British yard (Sears 1922 truncated)", 0.914398),
    ]

    /// The PROJCS unit: ProjLinearUnitsGeoKey (default metre), or ProjLinearUnitSizeGeoKey for a
    /// user-defined unit.
    static func linearUnit(_ keys: GeoKeys) -> (name: String, metres: Double, code: UInt16?)? {
        let code = keys.short(GeoKeys.projLinearUnits) ?? 9001
        if code == GeoKeys.userDefined {
            guard let size = keys.double(GeoKeys.projLinearUnitSize), size > 0 else { return nil }
            return ("unknown", size, nil)
        }
        return linearUnits[code].map { ($0.name, $0.metres, code) }
    }

    /// Degrees per unit of an angular unit key (GeogAngularUnitsGeoKey, GeogAzimuthUnitsGeoKey),
    /// degree when absent; GeogAngularUnitSizeGeoKey (radians) for a user-defined unit.
    static func degreesPerUnit(_ keys: GeoKeys, unitKey: UInt16) -> Double? {
        switch keys.short(unitKey) ?? 9102 {
        case 9102, 9122: return 1
        case 9101: return 180 / Double.pi
        case 9103: return 1.0 / 60
        case 9104: return 1.0 / 3600
        case 9105, 9106: return 0.9
        case 9109: return 180 / Double.pi / 1e6
        case 9114: return 360.0 / 6400
        case GeoKeys.userDefined:
            guard let radians = keys.double(GeoKeys.geogAngularUnitSize), radians > 0 else { return nil }
            return radians * 180 / Double.pi
        default: return nil  // sexagesimal encodings (9107, 9108, 9110, ...): no plain factor
        }
    }

    /// Names of the angular units `degreesPerUnit` knows.
    private static let angularUnitNames: [UInt16: String] = [
        9101: "radian", 9102: "degree", 9103: "arc-minute", 9104: "arc-second", 9105: "grad", 9106: "gon",
        9109: "microradian", 9114: "mil_6400", 9122: "degree",
    ]

    private static func angleInDegrees(_ value: Double, keys: GeoKeys) -> Double? {
        degreesPerUnit(keys, unitKey: GeoKeys.geogAngularUnits).map { value * $0 }
    }

    /// EPSG prime meridians (GeoTIFF 1.1 Annex B.4), Greenwich longitude in degrees.
    private static let primeMeridianDegrees: [UInt16: Double] = [
        8901: 0, 8902: -9.131906111111, 8903: 2.33722917, 8904: -74.08091666667, 8905: -3.687938888889,
        8906: 12.45233333333, 8907: 7.439583333333, 8908: 106.8077194444, 8909: -17.66666666667,
        8910: 4.367975, 8911: 18.05827777778, 8912: 23.7163375, 8913: 10.72291666667, 8914: 2.33720833333,
    ]

    // MARK: - Text

    /// A code from a key, nil for absent, 0 or user-defined (32767).
    private static func coded(_ value: UInt16?) -> UInt16? {
        guard let value, value != 0, value != GeoKeys.userDefined else { return nil }
        return value
    }

    private static func authority(_ code: UInt16?) -> String {
        code.map { ",AUTHORITY[\"EPSG\",\"\($0)\"]" } ?? ""
    }

    /// GDAL writes citations as "GCS Name = ...|Datum = ...|Ellipsoid = ...|Primem = ...|"; the
    /// fields of such a citation (empty for a plain one).
    private static func citationFields(_ citation: String?) -> [String: String] {
        var fields: [String: String] = [:]
        for part in (citation ?? "").split(separator: "|") {
            guard let equals = part.range(of: " = ") else { continue }
            fields[String(part[..<equals.lowerBound]).trimmingSpaces] = String(part[equals.upperBound...]).trimmingSpaces
        }
        return fields
    }

    /// A citation's name: its `field` when it has GDAL's "Field = value|" form, else all of it.
    private static func citationName(_ citation: String?, field: String) -> String? {
        guard let citation, !citation.isEmpty else { return nil }
        let fields = citationFields(citation)
        return fields.isEmpty ? citation : fields[field]
    }

    /// WKT 1 has no escape for '"'.
    private static func clean(_ name: String) -> String {
        String(name.filter { $0 != "\"" && $0 != "[" && $0 != "]" })
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
