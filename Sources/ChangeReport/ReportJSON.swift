import GeoRaster

/// report.json, in schema order (docs/report-schema.md).
public enum ReportJSON {
    static func lonLat(_ p: GeoPoint) -> JSONValue { .array([.double(p.longitude, decimals: 7), .double(p.latitude, decimals: 7)]) }
    static func ring(_ points: [GeoPoint]) -> JSONValue { .array(points.map(lonLat)) }

    /// A position's fields: lon/lat in degrees, or x/y in metres in the image frame.
    static func position(_ p: GeoPoint, _ frame: SiteReport.PositionFrame) -> [(String, JSONValue)] {
        switch frame {
        case .wgs84: return [("lon", .double(p.longitude, decimals: 7)), ("lat", .double(p.latitude, decimals: 7))]
        case .imageMeters: return [("x_m", .double(p.longitude, decimals: 2)), ("y_m", .double(p.latitude, decimals: 2))]
        }
    }

    static func structure(_ s: SiteReport.Structure, _ frame: SiteReport.PositionFrame) -> JSONValue {
        .object([
            ("id", .string(s.id)), ("class", .string(s.kind)),
        ] + position(s.position, frame) + [
            ("area_m2", .double(s.areaSquareMeters, decimals: 1)), ("confidence", .double(s.confidence, decimals: 3)),
            ("footprint", ring(s.footprint)),
        ] + s.facts)
    }

    static func line(_ l: SiteReport.Line) -> JSONValue {
        .object([("length_m", .double(l.lengthMeters, decimals: 1)), ("points", ring(l.points))])
    }

    public static func render(_ r: SiteReport) -> String {
        var root: [(String, JSONValue)] = [
            ("schema_version", .string(SiteReport.schemaVersion)),
            ("title", .string(r.title)),
            ("position_frame", .string(r.positionFrame.rawValue)),
            ("site", .object(position(r.site, r.positionFrame))),
            ("inputs", .object(r.inputs.map { input in
                (input.date, .object([
                    ("path", .string(input.path)), ("tile_count", .integer(input.tiles.count)),
                    ("tiles", .array(input.tiles.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
                    ("crs", .string(input.crs)), ("gsd_m", .double(input.gsdMeters, decimals: 4)),
                    ("size", .array(input.size.map { .integer($0) })),
                    ("acquisition", input.acquisition.map { .string($0) } ?? .null),
                ]))
            })),
            ("registration", .object([
                ("shift_px", .array([.double(r.registration.shiftXPixels, decimals: 3), .double(r.registration.shiftYPixels, decimals: 3)])),
                ("shift_m", .array([.double(r.registration.shiftEastMeters, decimals: 3), .double(r.registration.shiftNorthMeters, decimals: 3)])),
                ("confidence", .double(r.registration.confidence, decimals: 3)),
                ("residual_px", .double(r.registration.residualPixels, decimals: 3)),
                ("status", .string(r.registration.status)),
            ])),
            ("normalisation", .array(r.normalisation.map {
                .object([("band", .integer($0.band)), ("gain", .double($0.gain, decimals: 5)), ("offset", .double($0.offset, decimals: 4))])
            })),
            ("normalisation_fit", .object(r.normalisationFit)),
            ("change", .object([
                ("threshold_method", .string(r.change.thresholdMethod)), ("threshold", .double(r.change.threshold, decimals: 3)),
                ("valid_pixels", .integer(r.change.validPixels)), ("changed_pixels", .integer(r.change.changedPixels)),
                ("changed_area_m2", .double(r.change.changedAreaSquareMeters, decimals: 1)), ("regions", .integer(r.change.regions)),
            ])),
        ]
        if let c = r.compound {
            func outline(_ o: SiteReport.Outline) -> JSONValue {
                .object([("area_m2", .double(o.areaSquareMeters, decimals: 1)), ("source", .string(o.source)), ("polygon", ring(o.ring))])
            }
            root.append(("compound", .object([
                ("before", outline(c.before)), ("after", outline(c.after)),
                ("growth_pct", .double(c.growthPercent, decimals: 2)),
                ("growth_pct_uncertainty", .double(c.growthUncertaintyPoints, decimals: 2)),
                ("analyst_iou", .object(c.analystIoU.keys.sorted().map { ($0, .double(c.analystIoU[$0]!, decimals: 4)) })),
            ])))
        } else {
            root.append(("compound", .null))
        }
        root.append(("fences", .object([
            ("new_length_m", .double(r.newFences.reduce(0) { $0 + $1.lengthMeters }, decimals: 1)),
            ("new", .array(r.newFences.map(line))),
            ("removed_length_m", .double(r.removedFences.reduce(0) { $0 + $1.lengthMeters }, decimals: 1)),
            ("removed", .array(r.removedFences.map(line))),
        ])))
        if let s = r.structures {
            root.append(("structures", .object([
                ("new_guard_posts", .array(s.newGuardPosts.map { structure($0, r.positionFrame) })),
                ("new_buildings", .array(s.newBuildings.map { structure($0, r.positionFrame) })),
                ("removed_guard_posts", .array(s.removedGuardPosts.map { structure($0, r.positionFrame) })),
                ("removed_buildings", .array(s.removedBuildings.map { structure($0, r.positionFrame) })),
                ("outside_compound", .array(s.outsideCompound.map { structure($0, r.positionFrame) })),
                ("summary", .array(s.summary.map { .string($0) })),
            ])))
        } else {
            root.append(("structures", .null))
        }
        root.append(("claims", .array(r.claims.map { c in
            .object([("id", .string(c.id)), ("text", .string(c.text)), ("documented", .string(c.documented)),
                     ("measured", .string(c.measured)), ("uncertainty", .string(c.uncertainty)), ("verdict", .string(c.verdict)),
                     ("reason", .string(c.reason)), ("warning", c.warning.map { .string($0) } ?? .null)])
        })))
        root.append(("occlusion", .object(r.occlusion)))
        root.append(("parameters", .object(r.parameters)))
        root.append(("software", .object([("name", .string("sitewatch")), ("version", .string(r.softwareVersion))])))
        root.append(("method", .array(r.method.map { .string($0) })))
        root.append(("limitations", .array(r.limitations.map { .string($0) })))
        root.append(("timings", .object(r.run)))
        return JSONValue.object(root).pretty()
    }
}

/// features.geojson: RFC 7946 — WGS 84 longitude/latitude, counter-clockwise outer rings, at most
/// 7 decimals (about 1 cm), one feature per perimeter, fence line and structure.
public enum ReportGeoJSON {
    /// Closes a ring and orients it counter-clockwise (RFC 7946 section 3.1.6).
    static func polygon(_ ring: [GeoPoint]) -> JSONValue {
        var points = ring
        if let first = points.first, first != points.last { points.append(first) }
        var twiceArea = 0.0
        for (a, b) in zip(points, points.dropFirst()) { twiceArea += a.longitude * b.latitude - b.longitude * a.latitude }
        if twiceArea < 0 { points.reverse() }
        return .object([("type", .string("Polygon")), ("coordinates", .array([.array(points.map(ReportJSON.lonLat))]))])
    }

    static func feature(_ geometry: JSONValue, _ properties: [(String, JSONValue)]) -> JSONValue {
        .object([("type", .string("Feature")), ("properties", .object(properties)), ("geometry", geometry)])
    }

    public static func render(_ r: SiteReport) -> String {
        var features: [JSONValue] = []
        if let c = r.compound {
            for (date, o) in [("before", c.before), ("after", c.after)] {
                features.append(feature(polygon(o.ring), [("kind", .string("perimeter")), ("date", .string(date)),
                                                          ("area_m2", .double(o.areaSquareMeters, decimals: 1)), ("source", .string(o.source))]))
            }
        }
        for (status, lines) in [("new", r.newFences), ("removed", r.removedFences)] {
            for (i, l) in lines.enumerated() {
                features.append(feature(.object([("type", .string("LineString")), ("coordinates", .array(l.points.map(ReportJSON.lonLat)))]),
                                        [("kind", .string("fence")), ("status", .string(status)), ("index", .integer(i + 1)),
                                         ("length_m", .double(l.lengthMeters, decimals: 1))]))
            }
        }
        if let s = r.structures {
            for (status, list) in [("new", s.newGuardPosts + s.newBuildings), ("removed", s.removedGuardPosts + s.removedBuildings),
                                   ("outside_compound", s.outsideCompound)] {
                for item in list {
                    let geometry = item.footprint.count >= 3 ? polygon(item.footprint)
                        : .object([("type", .string("Point")), ("coordinates", ReportJSON.lonLat(item.position))])
                    features.append(feature(geometry, [("kind", .string(item.kind)), ("status", .string(status)), ("id", .string(item.id)),
                                                       ("area_m2", .double(item.areaSquareMeters, decimals: 1)),
                                                       ("confidence", .double(item.confidence, decimals: 3))] + item.facts))
                }
            }
        }
        features.append(feature(.object([("type", .string("Point")), ("coordinates", ReportJSON.lonLat(r.site))]),
                                [("kind", .string("site")), ("title", .string(r.title))]))
        return JSONValue.object([("type", .string("FeatureCollection")), ("features", .array(features))]).pretty()
    }
}
