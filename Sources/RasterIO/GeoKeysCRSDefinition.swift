/// PROJ definitions of the user-defined CRSs that GeoKeys spell out parameter by parameter, so that
/// PROJ can identify them with an EPSG code the way GDAL does.
enum GeoKeysCRSDefinition {
    /// A user-defined geographic CRS. Only the common case is expressible: a known EPSG datum
    /// with degrees and the Greenwich meridian is the EPSG geographic CRS of that datum
    /// (EPSG numbers datum 6xxx's CRS as 4xxx). Other units or meridians stay unidentified.
    static func geographic(_ keys: GeoKeys) -> String? {
        let angular = keys.short(GeoKeys.geogAngularUnits) ?? 9102
        let meridian = keys.short(GeoKeys.primeMeridian) ?? 8901
        guard let datum = keys.short(GeoKeys.geodeticDatum), (6001...6999).contains(datum),
              angular == 9102, meridian == 8901 else { return nil }
        return "EPSG:\(Int(datum) - 2000)"
    }

    static func projected(_ keys: GeoKeys) -> String? {
        nil
    }
}
