import CNetCDF
import Foundation

extension Dataset {
    /// A short `ncdump -h`-like description: format, dimensions, variables with their
    /// attributes, storage and value range (for variables up to `rangeLimit` values), and
    /// global attributes.
    public func summary(rangeLimit: Int = 10_000_000) throws -> String {
        try requireOpen("summarising the file")
        var format: Int32 = 0
        try call("reading the format") { nc_inq_format(ncid, &format) }
        let formatName: String
        switch format {
        case NC_FORMAT_CLASSIC: formatName = "classic"
        case NC_FORMAT_64BIT_OFFSET: formatName = "64-bit offset"
        case NC_FORMAT_CDF5: formatName = "CDF-5"
        case NC_FORMAT_NETCDF4: formatName = "netCDF-4"
        case NC_FORMAT_NETCDF4_CLASSIC: formatName = "netCDF-4 classic model"
        default: formatName = "format \(format)"
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: workingPath)[.size] as? Int) ?? 0
        var lines = ["\(path) (\(formatName), \(Self.byteCount(bytes)))", "dimensions:"]
        for dimension in try dimensions() {
            lines.append(dimension.isUnlimited
                ? "    \(dimension.name) = UNLIMITED ; // (\(dimension.length) currently)"
                : "    \(dimension.name) = \(dimension.length) ;")
        }
        lines.append("variables:")
        for variable in try variables() {
            var line = "    \(variable.dataType) \(variable.name)"
            if !variable.dimensions.isEmpty { line += "(" + variable.dimensions.map(\.name).joined(separator: ", ") + ")" }
            line += " ;"
            var notes: [String] = []
            if let compression = variable.compression { notes.append("deflate \(compression.level)\(compression.shuffle ? "+shuffle" : "")") }
            if let chunks = variable.chunkSizes { notes.append("chunks " + chunks.map(String.init).joined(separator: "×")) }
            if variable.dataType.isNumeric, variable.count > 0, variable.count <= rangeLimit,
               let values = try? read(Double.self, from: variable.name) {
                let finite = values.filter(\.isFinite)
                if let low = finite.min(), let high = finite.max() {
                    notes.append("range [\(Self.number(low)), \(Self.number(high))]")
                }
                if finite.count < values.count { notes.append("\(values.count - finite.count) non-finite") }
            }
            if !notes.isEmpty { line += "  // " + notes.joined(separator: ", ") }
            lines.append(line)
            for attribute in variable.attributes {
                lines.append("        \(variable.name):\(attribute.name) = \(Self.shortened(attribute.value)) ;")
            }
        }
        lines.append("global attributes:")
        for attribute in try attributes() {
            lines.append("    :\(attribute.name) = \(Self.shortened(attribute.value)) ;")
        }
        return lines.joined(separator: "\n")
    }

    private static func shortened(_ value: AttributeValue) -> String {
        let text = value.description.replacingOccurrences(of: "\n", with: "\\n")
        return text.count > 100 ? String(text.prefix(97)) + "…" : text
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.6g", value)
    }

    private static func byteCount(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        if bytes < 1 << 20 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        if bytes < 1 << 30 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
        return String(format: "%.2f GiB", Double(bytes) / Double(1 << 30))
    }
}
