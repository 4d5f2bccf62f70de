import CBLAS
import Foundation

/// Sinkhorn's iterations in the stabilised kernel form (Schmitzer, "Stabilized sparse scaling
/// algorithms for entropy regularized transport problems", 2019): the plan is
/// π = diag(u) K diag(v) with K(i, j) = exp((fᵢ + gⱼ − c(i, j)) / ε), the large part of the
/// dual potentials held in f, g and only a bounded correction in the scalings u, v.
///
/// An iteration is then two products with K instead of 2·n·m exponentials, done as one pass over
/// K's rows with BLAS: sᵢ = Kᵢ·v, the source marginal's violation |uᵢ sᵢ − aᵢ| (free, since the
/// target marginal is exact after the previous v update), uᵢ ← aᵢ / sᵢ, and t += uᵢ Kᵢ while the
/// row is in cache; then v ← b / t. When u or v leave [1e-100, 1e100] they are folded into f, g
/// (ε log u, ε log v) and K is rebuilt; if a row or column of K underflows entirely, one
/// log-domain (log-sum-exp) step restores the potentials' scale first.
struct KernelState {
    let a: [Double], b: [Double], cost: [Double]
    let n: Int, m: Int
    /// The absorbed potentials (cost units).
    var f: [Double], g: [Double]
    var u: [Double], v: [Double]
    var kernel: [Double]
    var epsilon = Double.nan
    private var nextU: [Double], columnSums: [Double]

    init(a: [Double], b: [Double], cost: [Double]) {
        (self.a, self.b, self.cost, n, m) = (a, b, cost, a.count, b.count)
        f = [Double](repeating: 0, count: n)
        g = [Double](repeating: 0, count: m)
        u = [Double](repeating: 1, count: n)
        v = [Double](repeating: 1, count: m)
        nextU = u
        columnSums = v
        kernel = [Double](repeating: 0, count: n * m)
    }

    /// Folds the scalings into the potentials and rebuilds K at ε = `e`.
    mutating func absorb(epsilon e: Double) {
        if epsilon.isFinite {
            for i in 0..<n where u[i] > 0 && u[i].isFinite { f[i] += epsilon * Foundation.log(u[i]) }
            for j in 0..<m where v[j] > 0 && v[j].isFinite { g[j] += epsilon * Foundation.log(v[j]) }
        }
        for i in 0..<n { u[i] = 1 }
        for j in 0..<m { v[j] = 1 }
        epsilon = e
        let inverse = 1 / e, m = self.m, n = self.n
        let blocks = n * m >= 100_000 ? Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, 8, n)) : 1
        cost.withUnsafeBufferPointer { c in
            f.withUnsafeBufferPointer { f in
                g.withUnsafeBufferPointer { g in
                    kernel.withUnsafeMutableBufferPointer { k in
                        // Each block fills its own rows.
                        nonisolated(unsafe) let (c, f, g, k) = (c.baseAddress!, f.baseAddress!, g.baseAddress!, k.baseAddress!)
                        DispatchQueue.concurrentPerform(iterations: blocks) { block in
                            for i in (block * n / blocks)..<((block + 1) * n / blocks) {
                                let fi = f[i], row = c + i * m, out = k + i * m
                                for j in 0..<m { out[j] = exponential((fi + g[j] - row[j]) * inverse) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One iteration (the u update over-relaxed when `omega` > 1: u ← u^(1−ω) (a / Kv)^ω; v's
    /// update stays exact, so the target marginal is exact and the source's violation measures the
    /// whole error); returns the source marginal's L1 violation of the plan before it, or nil
    /// (and changes nothing) when a kernel product vanished or overflowed. When the violation is
    /// already below `tolerance` the scalings are left as they were (that plan is the answer).
    mutating func iterate(tolerance: Double, overRelaxation omega: Double = 1) -> Double? {
        let n = self.n, m = self.m
        // Row blocks on the cores, each with its own column sums, added in block order (so the
        // result depends on the number of cores only through the rounding of that sum).
        let blocks = n * m >= 100_000 ? Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, 8, n)) : 1
        var partial = [Double](repeating: 0, count: blocks * m)
        var errors = [Double](repeating: 0, count: blocks)
        var invalid = [Bool](repeating: false, count: blocks)
        kernel.withUnsafeBufferPointer { k in
            v.withUnsafeBufferPointer { v in
                u.withUnsafeBufferPointer { u in
                    a.withUnsafeBufferPointer { a in
                        nextU.withUnsafeMutableBufferPointer { next in
                            partial.withUnsafeMutableBufferPointer { t in
                                errors.withUnsafeMutableBufferPointer { errors in
                                    invalid.withUnsafeMutableBufferPointer { invalid in
                                        // Each block writes only its own rows of `next`, its own `t` slice and slots.
                                        nonisolated(unsafe) let (k, v, u, a) = (k.baseAddress!, v.baseAddress!, u.baseAddress!, a.baseAddress!)
                                        nonisolated(unsafe) let (next, t, errors, invalid) = (next.baseAddress!, t.baseAddress!, errors.baseAddress!, invalid.baseAddress!)
                                        DispatchQueue.concurrentPerform(iterations: blocks) { block in
                                            let sums = t + block * m
                                            var error = 0.0
                                            for i in (block * n / blocks)..<((block + 1) * n / blocks) {
                                                let row = k + i * m
                                                let s = cblas_ddot(Int32(m), row, 1, v, 1)
                                                guard s > 0, s.isFinite else { invalid[block] = true; return }
                                                error += abs(u[i] * s - a[i])
                                                let ui = omega == 1 ? a[i] / s : Foundation.pow(u[i], 1 - omega) * Foundation.pow(a[i] / s, omega)
                                                next[i] = ui
                                                cblas_daxpy(Int32(m), ui, row, 1, sums, 1)
                                            }
                                            errors[block] = error
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let valid = !invalid.contains(true)
        let error = errors.reduce(0, +)
        for j in 0..<m { columnSums[j] = partial[j] }
        for block in 1..<blocks { for j in 0..<m { columnSums[j] += partial[block * m + j] } }
        guard valid else { return nil }
        guard error >= tolerance else { return error }
        for j in 0..<m {
            guard columnSums[j] > 0, columnSums[j].isFinite else { return nil }
        }
        swap(&u, &nextU)
        var outOfRange = false
        for j in 0..<m {
            v[j] = b[j] / columnSums[j]
            if !(1e-100...1e100).contains(v[j]) { outOfRange = true }
        }
        if outOfRange || u.contains(where: { !(1e-100...1e100).contains($0) }) { absorb(epsilon: epsilon) }
        return error
    }

    /// True when a row or a column of K is entirely zero (underflow).
    func kernelHasEmptyLine() -> Bool {
        var columns = [Bool](repeating: false, count: m)
        for i in 0..<n {
            var any = false
            for j in 0..<m where kernel[i * m + j] > 0 { any = true; columns[j] = true }
            if !any { return true }
        }
        return columns.contains(false)
    }

    /// One log-domain step (u = v = 1 assumed): fᵢ ← ε log aᵢ − ε log Σⱼ exp((gⱼ − c(i, j)) / ε),
    /// then g likewise from the new f; then K is rebuilt.
    mutating func softMinimumStep(epsilon e: Double) {
        func softMinimum(_ values: (Int) -> Double, count: Int) -> Double {
            var largest = -Double.infinity
            for q in 0..<count { largest = max(largest, values(q)) }
            var sum = 0.0
            for q in 0..<count { sum += Foundation.exp(values(q) - largest) }
            return -e * (largest + Foundation.log(sum))
        }
        for i in 0..<n { f[i] = e * Foundation.log(a[i]) + softMinimum({ (self.g[$0] - self.cost[i * self.m + $0]) / e }, count: m) }
        for j in 0..<m { g[j] = e * Foundation.log(b[j]) + softMinimum({ (self.f[$0] - self.cost[$0 * self.m + j]) / e }, count: n) }
        epsilon = .nan
        absorb(epsilon: e)
    }

    /// The plan diag(u) K diag(v) (n × m row-major) and its transport cost ⟨π, C⟩.
    func plan() -> (plan: [Double], cost: Double) {
        var plan = [Double](repeating: 0, count: n * m)
        var total = 0.0
        for i in 0..<n {
            for j in 0..<m {
                let p = u[i] * kernel[i * m + j] * v[j]
                plan[i * m + j] = p
                total += p * cost[i * m + j]
            }
        }
        return (plan, total)
    }

    /// The potentials in the convention π(i, j) = aᵢ bⱼ exp((fᵢ + gⱼ − c(i, j)) / ε).
    func potentials() -> (source: [Double], target: [Double]) {
        ((0..<n).map { f[$0] + epsilon * (Foundation.log(u[$0]) - Foundation.log(a[$0])) },
         (0..<m).map { g[$0] + epsilon * (Foundation.log(v[$0]) - Foundation.log(b[$0])) })
    }
}

/// eˣ to about one ulp, written so that loops over arrays vectorise: x = k ln 2 + r with
/// |r| ≤ ln 2 / 2, eʳ by its Taylor polynomial of degree 12 (truncation below 2e-16), 2ᵏ built
/// in the exponent bits. Below −708 (where 2ᵏ would be subnormal) it returns 0.
@inline(__always)
func exponential(_ x: Double) -> Double {
    let clamped = Swift.min(Swift.max(x, -708), 709)
    let shifter = 0x1.8p52
    let kd = clamped * 1.4426950408889634 + shifter
    let k = kd - shifter
    let r = (clamped - k * 0.6931471805599453) - k * 2.3190468138462996e-17
    var p = 1.0 / 479_001_600
    p = p * r + 1.0 / 39_916_800
    p = p * r + 1.0 / 3_628_800
    p = p * r + 1.0 / 362_880
    p = p * r + 1.0 / 40_320
    p = p * r + 1.0 / 5_040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let scale = Double(bitPattern: (kd.bitPattern &+ 1023) << 52)
    return x < -708 ? 0 : p * scale
}
