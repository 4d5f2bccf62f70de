import Foundation
import Testing
import Tensors

/// The GRU cell against its equations written out per component, and its gradients (input,
/// hidden state and every parameter, through three unrolled steps) against central differences.
@Suite struct GRUCellTests {
    @Test func forwardMatchesTheEquations() throws {
        var cell = GRUCell<Double>(inputSize: 2, hiddenSize: 3, seed: 4)
        var k: UInt64 = 0
        cell.parameters = cell.parameters.mapTensors { _, t in k += 1; return Tensor.randomNormal(shape: t.shape, standardDeviation: 0.5, seed: 40 + k) }
        let x = randn([2, 2], 1), h = randn([2, 3], 2)
        let out = try cell.step(Variable(x), hidden: Variable(h), parameters: cell.parameters.constants).value
        let W = cell.parameters["input.weight"]!, b = cell.parameters["input.bias"]!
        let U = cell.parameters["hidden.weight"]!, c = cell.parameters["hidden.bias"]!
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        for row in 0..<2 {
            for j in 0..<3 {
                func gx(_ g: Int) -> Double { (0..<2).reduce(b[flat: g * 3 + j]) { $0 + x[row, $1] * W[$1, g * 3 + j] } }
                func gh(_ g: Int) -> Double { (0..<3).reduce(c[flat: g * 3 + j]) { $0 + h[row, $1] * U[$1, g * 3 + j] } }
                let r = sigmoid(gx(0) + gh(0)), z = sigmoid(gx(1) + gh(1)), n = tanh(gx(2) + r * gh(2))
                #expect(abs(out[row, j] - ((1 - z) * n + z * h[row, j])) < 1e-14)
            }
        }
    }

    @Test func gradientsThroughThreeStepsMatchCentralDifferences() throws {
        var cell = GRUCell<Double>(inputSize: 2, hiddenSize: 3, seed: 7)
        var k: UInt64 = 0
        cell.parameters = cell.parameters.mapTensors { _, t in k += 1; return Tensor.randomNormal(shape: t.shape, standardDeviation: 0.6, seed: 70 + k) }
        let names = cell.parameters.names
        let inputs = [randn([3, 2, 2], 3), randn([2, 3], 4)] + names.map { cell.parameters[$0]! }
        let result = try checkGradients(inputs) { v in
            let p = ParameterVariables(Array(zip(names, v.dropFirst(2))))
            var h = v[1]
            for t in 0..<3 { h = try cell.step(v[0].sliced(axis: 0, t..<(t + 1)).reshaped([2, 2]), hidden: h, parameters: p) }
            return try project(h)
        }
        #expect(result.relativeError < 1e-6, "relative error \(result.relativeError)")
        #expect(result.numericNorm > 1e-3)
    }
}
