import CellFlow
import Foundation
import Scenarios

/// The organ table of the cell-flow kinds: `Data/cellflow/organs.json` (a JSON object with an
/// `"organs"` array), or the built-in copy of it when the scenario names none.
enum OrganTable {
    static func load(_ path: String) throws -> [Organ] {
        guard !path.isEmpty else { return builtIn }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw TableError(message: "\(path): cannot read the organ table (no such file, or not UTF-8)")
        }
        return try parse(text, file: path)
    }

    /// The built-in table: CellFlow's standard organs (a test keeps them equal to Data/cellflow/organs.json).
    static var builtIn: [Organ] { Organ.standard }

    static func parse(_ text: String, file: String) throws -> [Organ] {
        let document: JSONValue
        do { document = try JSONParser.parse(text) } catch { throw TableError(message: "\(file): not valid JSON: \(error)") }
        guard case .array(let entries)? = document["organs"], !entries.isEmpty else {
            throw TableError(message: "\(file): expected an object with a non-empty \"organs\" array")
        }
        return try entries.enumerated().map { index, entry in
            func fail(_ what: String) -> TableError { TableError(message: "\(file): organs[\(index)]: \(what)") }
            guard case .string(let name)? = entry["name"], !name.isEmpty else { throw fail("needs a \"name\"") }
            func number(_ key: String, minimum: Double = 0) throws -> Double {
                guard let value = entry[key]?.doubleValue, value.isFinite, value >= minimum else {
                    throw fail("\"\(key)\" of '\(name)' must be a number ≥ \(minimum)")
                }
                return value
            }
            func point(_ key: String) throws -> Point3 {
                guard case .array(let items)? = entry[key], items.count == 3, let x = items[0].doubleValue,
                      let y = items[1].doubleValue, let z = items[2].doubleValue else {
                    throw fail("\"\(key)\" of '\(name)' must be [x, y, z] in metres")
                }
                return Point3(x, y, z)
            }
            let halfSize = try point("half_size")
            guard halfSize.x > 0, halfSize.y > 0, halfSize.z > 0 else { throw fail("\"half_size\" of '\(name)' must be positive") }
            let speed = try number("capillary_speed")
            guard speed > 0 else { throw fail("\"capillary_speed\" of '\(name)' must be positive (m/s)") }
            return Organ(name: name, center: try point("center"), halfSize: halfSize,
                         rates: CompartmentRates(K1: try number("K1"), k2: try number("k2"), k3: try number("k3"), k4: try number("k4")),
                         perfusionWeight: try number("perfusion_weight"), capillarySpeed: speed)
        }
    }

    struct TableError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
