import GeoRaster

/// A picture for the HTML report: PNG bytes plus vector overlays in the picture's pixel
/// coordinates, drawn as SVG so they stay sharp and labelled at any zoom.
public struct Picture: Sendable {
    public struct Overlay: Sendable {
        public enum Shape: Sendable { case polygon([PixelPoint]), polyline([PixelPoint]), marker(PixelPoint) }
        public var shape: Shape
        /// CSS class: perimeter-before, perimeter-after, fence-new, fence-removed, post-new, building-new, ...
        public var style: String
        public var label: String?
        public init(shape: Shape, style: String, label: String?) { self.shape = shape; self.style = style; self.label = label }
    }
    public var title: String
    public var caption: String
    public var png: [UInt8]
    public var width: Int
    public var height: Int
    public var overlays: [Overlay]
    public init(title: String, caption: String, png: [UInt8], width: Int, height: Int, overlays: [Overlay]) {
        self.title = title; self.caption = caption; self.png = png; self.width = width; self.height = height; self.overlays = overlays
    }
}

func format(_ value: Double, _ decimals: Int) -> String { JSONValue.format(value, decimals: decimals) }

/// Groups digits by thousands: 1000000 -> "1,000,000".
func grouped(_ value: Double) -> String {
    let whole = Int(value.rounded())
    let digits = String(abs(whole))
    var out = ""
    for (i, c) in digits.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (whole < 0 ? "-" : "") + String(out.reversed())
}

/// The site as a reader reads it: hemispheres by letter, or the image frame's metres.
func siteText(_ r: SiteReport) -> String {
    switch r.positionFrame {
    case .wgs84:
        return "\(format(abs(r.site.latitude), 6)) \(r.site.latitude < 0 ? "S" : "N"), \(format(abs(r.site.longitude), 6)) \(r.site.longitude < 0 ? "W" : "E")"
    case .imageMeters:
        return "x \(format(r.site.longitude, 1)) m, y \(format(r.site.latitude, 1)) m in the image frame (the imagery has no georeferencing; positions are metres from its bottom-left corner)"
    }
}

/// report.md for a reader.
public enum ReportMarkdown {
    public static func render(_ r: SiteReport) -> String {
        var md = "# \(r.title)\n\n"
        md += "Site: \(siteText(r)). SiteWatch \(r.softwareVersion), report schema \(SiteReport.schemaVersion).\n\n"
        if !r.claims.isEmpty {
            md += "## Claims\n\n| claim | documented | measured | uncertainty | verdict | reason |\n|---|---|---|---|---|---|\n"
            for c in r.claims {
                md += "| \(c.text) | \(c.documented) | \(c.measured) | \(c.uncertainty) | **\(c.verdict)** | \(c.reason)\(c.warning.map { " ⚠ \($0)" } ?? "") |\n"
            }
            md += "\n"
        }
        md += "## Compound\n\n"
        if let c = r.compound {
            md += "| | before | after |\n|---|---|---|\n"
            md += "| enclosed area | \(grouped(c.before.areaSquareMeters)) m² | \(grouped(c.after.areaSquareMeters)) m² |\n"
            md += "| outline from | \(c.before.source) | \(c.after.source) |\n\n"
            md += "Growth: **\(format(c.growthPercent, 1)) % ± \(format(c.growthUncertaintyPoints, 1)) points**.\n\n"
            for (date, iou) in c.analystIoU.sorted(by: { $0.key < $1.key }) {
                md += "Analyst polygon vs extraction (\(date)): IoU \(format(iou, 3)).\n\n"
            }
        } else {
            md += "No compound perimeter was measured.\n\n"
        }
        md += "New fence lines: \(r.newFences.count), \(grouped(r.newFences.reduce(0) { $0 + $1.lengthMeters })) m in all. "
        md += "Removed: \(r.removedFences.count), \(grouped(r.removedFences.reduce(0) { $0 + $1.lengthMeters })) m.\n\n"
        if let s = r.structures {
            md += "## Structures\n\n"
            md += "| | count |\n|---|---|\n| new guard posts | \(s.newGuardPosts.count) |\n| new buildings | \(s.newBuildings.count) |\n"
            md += "| removed guard posts | \(s.removedGuardPosts.count) |\n| removed buildings | \(s.removedBuildings.count) |\n"
            md += "| new structures outside the compound (not counted) | \(s.outsideCompound.count) |\n\n"
            for line in s.summary { md += "- \(line)\n" }
            md += "\n"
        }
        md += "## Registration and change\n\n"
        md += "Co-registration: shift (\(format(r.registration.shiftXPixels, 2)), \(format(r.registration.shiftYPixels, 2))) px, "
        md += "confidence \(format(r.registration.confidence, 2)), residual \(format(r.registration.residualPixels, 2)) px, \(r.registration.status).\n\n"
        if let method = r.normalisationFit.first(where: { $0.0 == "method" })?.1, case .string(let name) = method {
            md += "Radiometric normalisation: \(name); gains \(r.normalisation.map { format($0.gain, 3) }.joined(separator: ", ")), offsets \(r.normalisation.map { format($0.offset, 1) }.joined(separator: ", "))"
            if let reason = r.normalisationFit.first(where: { $0.0 == "fallback_reason" })?.1, case .string(let text) = reason { md += " (\(text))" }
            md += ".\n\n"
        }
        md += "Change: \(r.change.regions) regions, \(grouped(r.change.changedAreaSquareMeters)) m² changed "
        md += "(\(r.change.thresholdMethod) threshold \(format(r.change.threshold, 2))).\n\n"
        md += "## Inputs\n\n| date | path | tiles | CRS | GSD |\n|---|---|---|---|---|\n"
        for i in r.inputs { md += "| \(i.date) | `\(i.path)` | \(i.tiles.count) | \(i.crs) | \(format(i.gsdMeters, 3)) m |\n" }
        md += "\n## Method\n\n" + r.method.map { "- \($0)\n" }.joined()
        md += "\n## Limitations\n\n" + r.limitations.map { "- \($0)\n" }.joined()
        return md
    }
}

/// report.html: one self-contained file — images embedded as data URIs, styles inline, no script,
/// no network.
public enum ReportHTML {
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static func points(_ p: [PixelPoint]) -> String { p.map { "\(format($0.x, 1)),\(format($0.y, 1))" }.joined(separator: " ") }

    static func figure(_ p: Picture) -> String {
        var svg = "<svg viewBox=\"0 0 \(p.width) \(p.height)\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(escape(p.title))\">"
        svg += "<image width=\"\(p.width)\" height=\"\(p.height)\" href=\"data:image/png;base64,\(Base64.encode(p.png))\"/>"
        for o in p.overlays {
            var anchor: PixelPoint?
            switch o.shape {
            case .polygon(let pts):
                svg += "<polygon class=\"\(o.style)\" points=\"\(points(pts))\"/>"
                anchor = pts.first
            case .polyline(let pts):
                svg += "<polyline class=\"\(o.style)\" points=\"\(points(pts))\"/>"
                anchor = pts.isEmpty ? nil : pts[pts.count / 2]
            case .marker(let pt):
                svg += "<rect class=\"\(o.style)\" x=\"\(format(pt.x - 6, 1))\" y=\"\(format(pt.y - 6, 1))\" width=\"12\" height=\"12\"/>"
                anchor = pt
            }
            if let label = o.label, let a = anchor {
                svg += "<text class=\"label \(o.style)-label\" x=\"\(format(a.x + 8, 1))\" y=\"\(format(a.y - 8, 1))\">\(escape(label))</text>"
            }
        }
        svg += "</svg>"
        return "<figure><h3>\(escape(p.title))</h3>\(svg)<figcaption>\(escape(p.caption))</figcaption></figure>\n"
    }

    static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#1d2330}
        h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccd;padding-bottom:.2em}
        table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccd;padding:.35em .6em;text-align:left;vertical-align:top}
        th{background:#eef0f5}.verdict-consistent{background:#dff3e3}.verdict-not-consistent{background:#f8dcdc}
        .verdict-inconclusive{background:#fbf0d0}.warning{color:#8a4b00}
        .figures{display:grid;grid-template-columns:1fr;gap:1.5em}
        figure{margin:0}figure h3{margin:.2em 0}svg{width:100%;height:auto;background:#000;display:block}
        figcaption{font-size:.85em;color:#555}
        polygon,polyline{fill:none;stroke-width:3;vector-effect:non-scaling-stroke}
        .perimeter-before{stroke:#ffd400}.perimeter-after{stroke:#00e5ff}.fence-new{stroke:#ff2a2a;stroke-width:5}
        .fence-removed{stroke:#ff9f1a;stroke-dasharray:8 6}.building-new{stroke:#ff7a00;stroke-width:3}
        .post-new{fill:none;stroke:#ff00d4;stroke-width:3;vector-effect:non-scaling-stroke}.change-region{stroke:#ff3b3b;stroke-width:2}
        .label{font:bold 15px system-ui,sans-serif;paint-order:stroke;stroke:#000;stroke-width:3px;fill:#fff}
        .key span{display:inline-block;margin-right:1em}.swatch{display:inline-block;width:1.6em;height:.35em;vertical-align:middle;margin-right:.3em}
        """

    public static func render(_ r: SiteReport, pictures: [Picture]) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(escape(r.title))</title>"
        h += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>\(style)</style></head><body>\n"
        h += "<h1>\(escape(r.title))</h1><p>Site \(escape(siteText(r))) · SiteWatch \(escape(r.softwareVersion)) · report schema \(SiteReport.schemaVersion)</p>\n"
        if let c = r.compound {
            h += "<p><strong>Enclosed area \(grouped(c.before.areaSquareMeters)) m² → \(grouped(c.after.areaSquareMeters)) m²: "
            h += "growth \(format(c.growthPercent, 1)) % ± \(format(c.growthUncertaintyPoints, 1)) points.</strong>"
            if let s = r.structures {
                h += " \(s.newGuardPosts.count) new guard posts, \(s.newBuildings.count) new buildings."
            }
            h += "</p>\n"
        }
        if !r.claims.isEmpty {
            h += "<h2>Claims</h2><table><tr><th>claim</th><th>documented</th><th>measured</th><th>uncertainty</th><th>verdict</th><th>reason</th></tr>\n"
            for c in r.claims {
                let cls = "verdict-" + c.verdict.replacingSpaces()
                h += "<tr class=\"\(cls)\"><td>\(escape(c.text))</td><td>\(escape(c.documented))</td><td>\(escape(c.measured))</td>"
                h += "<td>\(escape(c.uncertainty))</td><td><strong>\(escape(c.verdict))</strong></td><td>\(escape(c.reason))"
                if let w = c.warning { h += "<br><span class=\"warning\">⚠ \(escape(w))</span>" }
                h += "</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "<h2>Pictures</h2><p class=\"key\"><span><i class=\"swatch\" style=\"background:#ffd400\"></i>perimeter before</span>"
        h += "<span><i class=\"swatch\" style=\"background:#00e5ff\"></i>perimeter after</span><span><i class=\"swatch\" style=\"background:#ff2a2a\"></i>new fence</span>"
        h += "<span><i class=\"swatch\" style=\"background:#ff9f1a\"></i>removed fence</span><span><i class=\"swatch\" style=\"background:#ff00d4\"></i>new guard post</span>"
        h += "<span><i class=\"swatch\" style=\"background:#ff7a00\"></i>new building</span><span><i class=\"swatch\" style=\"background:#ff3b3b\"></i>change region</span></p>\n"
        h += "<div class=\"figures\">\n" + pictures.map(figure).joined() + "</div>\n"
        if let s = r.structures, !s.summary.isEmpty {
            h += "<h2>Structures</h2><ul>" + s.summary.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        }
        h += "<h2>Measurements</h2><table>"
        if let c = r.compound {
            h += "<tr><th>enclosed area before</th><td>\(grouped(c.before.areaSquareMeters)) m² (\(c.before.source))</td></tr>"
            h += "<tr><th>enclosed area after</th><td>\(grouped(c.after.areaSquareMeters)) m² (\(c.after.source))</td></tr>"
            h += "<tr><th>growth</th><td>\(format(c.growthPercent, 2)) % ± \(format(c.growthUncertaintyPoints, 2)) points</td></tr>"
        }
        h += "<tr><th>new fence lines</th><td>\(r.newFences.count), \(grouped(r.newFences.reduce(0) { $0 + $1.lengthMeters })) m</td></tr>"
        h += "<tr><th>co-registration</th><td>(\(format(r.registration.shiftXPixels, 2)), \(format(r.registration.shiftYPixels, 2))) px, confidence \(format(r.registration.confidence, 2)), residual \(format(r.registration.residualPixels, 2)) px, \(r.registration.status)</td></tr>"
        h += "<tr><th>change regions</th><td>\(r.change.regions), \(grouped(r.change.changedAreaSquareMeters)) m²</td></tr></table>\n"
        h += "<h2>Inputs</h2><table><tr><th>date</th><th>path</th><th>tiles</th><th>CRS</th><th>GSD</th></tr>"
        for i in r.inputs { h += "<tr><td>\(i.date)</td><td><code>\(escape(i.path))</code></td><td>\(i.tiles.count)</td><td>\(escape(i.crs))</td><td>\(format(i.gsdMeters, 3)) m</td></tr>" }
        h += "</table>\n<h2>Method</h2><ul>" + r.method.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        h += "<h2>Limitations</h2><ul>" + r.limitations.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n</body></html>\n"
        return h
    }
}

extension String {
    func replacingSpaces() -> String { String(map { $0 == " " ? "-" : $0 }) }
}
