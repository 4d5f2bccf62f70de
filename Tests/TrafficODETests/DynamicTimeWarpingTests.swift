import Foundation
import Testing
import Randomness
@testable import TrafficODE

/// DTW against the recursion written out directly (memoised, every alignment), its invariants, and
/// cases written for the Python check against dtaidistance (`make test`).
@Suite struct DynamicTimeWarpingTests {
    /// D(i, j) by the definition, over all cells, with the band as a constraint on |i − j| after
    /// dtaidistance's stretching for unequal lengths.
    static func reference(_ a: [Double], _ b: [Double], cost: DynamicTimeWarping.LocalCost, band: Int?) -> Double {
        let r = a.count, c = b.count
        let w = band.map { $0 + 1 } ?? max(r, c)
        var table = [[Double]](repeating: [Double](repeating: .infinity, count: c + 1), count: r + 1)
        table[0][0] = 0
        for i in 1...r {
            for j in 1...c {
                let inBand = (j - 1) >= (i - 1) - max(0, r - c) - w + 1 && (j - 1) < (i - 1) + max(0, c - r) + w
                guard inBand else { continue }
                let d = a[i - 1] - b[j - 1]
                table[i][j] = (cost == .squared ? d * d : abs(d)) + min(table[i - 1][j], table[i][j - 1], table[i - 1][j - 1])
            }
        }
        return cost == .squared ? table[r][c].squareRoot() : table[r][c]
    }

    static func randomSeries(_ n: Int, _ rng: inout Xoshiro256StarStar) -> [Double] {
        var x = 0.0
        return (0..<n).map { _ in x += rng.nextUniform() - 0.5; return x }
    }

    @Test func equalsTheDefinitionWithAndWithoutABand() {
        var rng = Xoshiro256StarStar(seed: 21)
        for trial in 0..<60 {
            let a = Self.randomSeries(1 + trial % 17, &rng), b = Self.randomSeries(1 + (trial * 7) % 23, &rng)
            for cost in DynamicTimeWarping.LocalCost.allCases {
                for band in [nil, 0, 2, 5] as [Int?] {
                    let ours = DynamicTimeWarping(localCost: cost, band: band).distance(a, b)
                    let expected = Self.reference(a, b, cost: cost, band: band)
                    #expect(ours == expected || abs(ours - expected) <= 1e-12 * max(1, expected), "\(a.count) x \(b.count), \(cost), band \(String(describing: band))")
                }
            }
        }
    }

    @Test func invariants() {
        var rng = Xoshiro256StarStar(seed: 5)
        let a = Self.randomSeries(40, &rng), b = Self.randomSeries(40, &rng)
        let dtw = DynamicTimeWarping()
        #expect(dtw.distance(a, a) == 0)
        #expect(dtw.distance(a, b) == dtw.distance(b, a))
        // Band 0 on equal lengths: the lock-step distance.
        #expect(abs(DynamicTimeWarping(band: 0).distance(a, b) - zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) }) < 1e-12)
        // A wider band can only find a cheaper alignment.
        let costs = [0, 1, 3, 10, 39].map { DynamicTimeWarping(band: $0).distance(a, b) }
        #expect(zip(costs, costs.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(costs.last == dtw.distance(a, b))
        // A time-shifted copy costs only the edges.
        let shifted = [a[0], a[0]] + a.dropLast(2)
        #expect(dtw.distance(a, shifted) < 0.2 * DynamicTimeWarping(band: 0).distance(a, shifted))
    }

    @Test func pairwiseMatrixMatchesPairByPairAndFeedsThePythonCheck() throws {
        var rng = Xoshiro256StarStar(seed: 8)
        let series = (0..<9).map { Self.randomSeries(30 + $0 * 3, &rng) }
        var records: [[String: Any]] = []
        for cost in DynamicTimeWarping.LocalCost.allCases {
            for band in [nil, 4] as [Int?] {
                let dtw = DynamicTimeWarping(localCost: cost, band: band)
                let matrix = dtw.pairwiseDistances(series)
                for i in 0..<9 {
                    #expect(matrix[i * 9 + i] == 0)
                    for j in 0..<9 where j != i { #expect(matrix[i * 9 + j] == dtw.distance(series[i], series[j])) }
                }
                var record: [String: Any] = ["cost": cost.rawValue, "distances": matrix]
                if let band { record["band"] = band }
                records.append(record)
            }
        }
        let directory = TrafficData.root.appendingPathComponent(".build/traffic-checks")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["series": series, "cases": records])
            .write(to: directory.appendingPathComponent("dtw.json"), options: .atomic)
    }
}
