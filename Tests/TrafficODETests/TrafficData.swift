import Foundation

/// Paths of the shipped traffic data and a reader for NumPy's `.npy` (v1, little-endian float64,
/// C order) — the format of GRAM-ODE's cached PEMS08 distance matrices.
enum TrafficData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent("Data/traffic/" + relative).path }

    static func readNumPy(_ relative: String) throws -> (shape: [Int], values: [Double]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        let bytes = [UInt8](data)
        precondition(bytes.starts(with: [0x93] + Array("NUMPY".utf8)) && bytes[6] == 1, "not a NumPy v1 file")
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        precondition(header.contains("'<f8'") && header.contains("'fortran_order': False"), "only C-order little-endian float64 is read here")
        let shapeText = header[header.range(of: "(")!.upperBound..<header.range(of: ")")!.lowerBound]
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let start = 10 + headerLength
        let count = shape.reduce(1, *)
        let values = (0..<count).map { i -> Double in
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[start + 8 * i + b]) << (8 * b) }
            return Double(bitPattern: bits)
        }
        return (shape, values)
    }
}
