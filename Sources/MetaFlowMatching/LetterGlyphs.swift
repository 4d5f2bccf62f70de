import Foundation
import Randomness

/// The 26 capital letters drawn as strokes: our own polyline and elliptic-arc definitions on a
/// 4 × 6 box (x to the right, y up), so the suite needs no font file.
///
/// A glyph's "lit pixels" are modelled as points spread uniformly over its strokes, each stroke
/// `strokeWidth` wide: a point is drawn on a stroke chosen in proportion to its length, at a
/// uniform position along it and a uniform offset across it.
public enum LetterGlyphs {
    /// The letters in order, "A" … "Z".
    public static let letters: [Character] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// The width of every stroke, in glyph-box units (the box is 4 wide and 6 high).
    public static let strokeWidth = 0.6

    /// The polylines of `letter` in glyph-box coordinates (each a list of (x, y) vertices).
    public static func strokes(of letter: Character) throws -> [[(Double, Double)]] {
        guard let s = table[letter] else {
            throw MetaFlowMatchingError.invalidArgument("no glyph for \"\(letter)\": letters are the capitals A-Z")
        }
        return s
    }

    /// `count` points spread over the strokes of `letter`, centred on the glyph box and scaled so
    /// that the box's height spans [−extent, extent] (the paper scales letters to [−3, 3]).
    /// Returns `count × 2` coordinates, point-major.
    public static func sample(_ letter: Character, count: Int, extent: Double = 3, generator rng: inout Xoshiro256StarStar) throws -> [Double] {
        let polylines = try strokes(of: letter)
        var segments: [(x0: Double, y0: Double, x1: Double, y1: Double, cumulative: Double)] = []
        var total = 0.0
        for line in polylines {
            for (p, q) in zip(line, line.dropFirst()) {
                total += hypot(q.0 - p.0, q.1 - p.1)
                segments.append((p.0, p.1, q.0, q.1, total))
            }
        }
        let scale = extent / 3
        var out = [Double]()
        out.reserveCapacity(2 * count)
        for _ in 0..<count {
            let target = rng.nextUniform() * total
            var lo = 0, hi = segments.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if segments[mid].cumulative < target { lo = mid + 1 } else { hi = mid }
            }
            let s = segments[lo]
            let length = max(hypot(s.x1 - s.x0, s.y1 - s.y0), 1e-12)
            let along = rng.nextUniform(), across = (rng.nextUniform() - 0.5) * strokeWidth
            let nx = -(s.y1 - s.y0) / length, ny = (s.x1 - s.x0) / length
            let x = s.x0 + along * (s.x1 - s.x0) + across * nx
            let y = s.y0 + along * (s.y1 - s.y0) + across * ny
            out.append((x - 2) * scale)
            out.append((y - 3) * scale)
        }
        return out
    }

    /// An elliptic arc from angle `from` to `to` (degrees, counter-clockwise when to > from).
    static func arc(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, from: Double, to: Double, pieces: Int = 16) -> [(Double, Double)] {
        (0...pieces).map { k in
            let a = (from + (to - from) * Double(k) / Double(pieces)) * .pi / 180
            return (cx + rx * cos(a), cy + ry * sin(a))
        }
    }

    static let table: [Character: [[(Double, Double)]]] = [
        "A": [[(0, 0), (2, 6), (4, 0)], [(0.8, 2.4), (3.2, 2.4)]],
        "B": [[(0, 0), (0, 6)], [(0, 6), (2.3, 6)] + arc(2.3, 4.5, 1.5, 1.5, from: 90, to: -90) + [(0, 3)],
              [(0, 3), (2.5, 3)] + arc(2.5, 1.5, 1.5, 1.5, from: 90, to: -90) + [(0, 0)]],
        "C": [arc(2.2, 3, 2.2, 3, from: 45, to: 315, pieces: 28)],
        "D": [[(0, 0), (0, 6), (1.5, 6)] + arc(1.5, 3, 2.5, 3, from: 90, to: -90, pieces: 24) + [(0, 0)]],
        "E": [[(4, 6), (0, 6), (0, 0), (4, 0)], [(0, 3), (3, 3)]],
        "F": [[(4, 6), (0, 6), (0, 0)], [(0, 3), (3, 3)]],
        "G": [arc(2.2, 3, 2.2, 3, from: 45, to: 360, pieces: 28) + [(2.4, 3)]],
        "H": [[(0, 0), (0, 6)], [(4, 0), (4, 6)], [(0, 3), (4, 3)]],
        "I": [[(2, 0), (2, 6)], [(0.8, 6), (3.2, 6)], [(0.8, 0), (3.2, 0)]],
        "J": [[(4, 6), (4, 2)] + arc(2, 2, 2, 2, from: 0, to: -180), [(2.4, 6), (4, 6)]],
        "K": [[(0, 0), (0, 6)], [(4, 6), (0, 2.4)], [(1.3, 3.6), (4, 0)]],
        "L": [[(0, 6), (0, 0), (4, 0)]],
        "M": [[(0, 0), (0, 6), (2, 2.4), (4, 6), (4, 0)]],
        "N": [[(0, 0), (0, 6), (4, 0), (4, 6)]],
        "O": [arc(2, 3, 2, 3, from: 0, to: 360, pieces: 32)],
        "P": [[(0, 0), (0, 6), (2.5, 6)] + arc(2.5, 4.5, 1.5, 1.5, from: 90, to: -90) + [(0, 3)]],
        "Q": [arc(2, 3, 2, 3, from: 0, to: 360, pieces: 32), [(2.6, 1.2), (4.2, -0.4)]],
        "R": [[(0, 0), (0, 6), (2.5, 6)] + arc(2.5, 4.5, 1.5, 1.5, from: 90, to: -90) + [(0, 3)], [(1.8, 3), (4, 0)]],
        "S": [arc(2, 4.5, 2, 1.5, from: 20, to: 270), arc(2, 1.5, 2, 1.5, from: 90, to: -160)],
        "T": [[(0, 6), (4, 6)], [(2, 6), (2, 0)]],
        "U": [[(0, 6), (0, 2)] + arc(2, 2, 2, 2, from: 180, to: 360) + [(4, 6)]],
        "V": [[(0, 6), (2, 0), (4, 6)]],
        "W": [[(0, 6), (1, 0), (2, 4), (3, 0), (4, 6)]],
        "X": [[(0, 0), (4, 6)], [(0, 6), (4, 0)]],
        "Y": [[(0, 6), (2, 3), (4, 6)], [(2, 3), (2, 0)]],
        "Z": [[(0, 6), (4, 6), (0, 0), (4, 0)]],
    ]
}
