import Testing
import Tensors

/// Mismatched shapes throw a TensorError whose message names both shapes.
@Suite struct ShapeErrorTests {
    func message(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as TensorError {
            return error.description
        } catch {
            return "unexpected error type: \(error)"
        }
    }

    func expectNamesBoth(_ body: () throws -> Any, _ a: [Int], _ b: [Int],
                         sourceLocation: SourceLocation = #_sourceLocation) {
        let text = message(body)
        #expect(text != nil, "no error thrown", sourceLocation: sourceLocation)
        if let text {
            #expect(text.contains("\(a)") && text.contains("\(b)"), "\(text)", sourceLocation: sourceLocation)
        }
    }

    let a23 = Tensor<Double>(shape: [2, 3]), b45 = Tensor<Double>(shape: [4, 5])

    @Test func broadcastingMismatch() {
        expectNamesBoth({ try self.a23 + self.b45 }, [2, 3], [4, 5])
        expectNamesBoth({ try self.a23 * Tensor<Double>(shape: [2]) }, [2, 3], [2])
        let tape = Tape<Double>()
        expectNamesBoth({ try tape.variable(self.a23) - Variable(self.b45) }, [2, 3], [4, 5])
        #expect(message { try self.a23 + self.b45 } == "add: shapes [2, 3] and [4, 5] are incompatible: dimension -2 is 2 vs 4 (broadcasting needs equal sizes or a 1)")
    }

    @Test func matmulMismatch() {
        expectNamesBoth({ try self.a23.matmul(self.b45) }, [2, 3], [4, 5])
        expectNamesBoth({ try Tensor<Double>(shape: [2, 2, 3]).matmul(Tensor(shape: [3, 3, 1])) }, [2, 2, 3], [3, 3, 1])
        expectNamesBoth({ try Tensor<Double>(shape: [3]).matmul(Tensor(shape: [3, 1])) }, [3], [3, 1])
    }

    @Test func shapingMismatches() {
        expectNamesBoth({ try self.a23.reshaped([4, 2]) }, [2, 3], [4, 2])
        expectNamesBoth({ try Tensor.concatenate([self.a23, self.b45], axis: 0) }, [2, 3], [4, 5])
        expectNamesBoth({ try Tensor.stack([self.a23, self.b45], axis: 0) }, [2, 3], [4, 5])
        expectNamesBoth({ try self.a23.broadcasted(to: [4, 5]) }, [2, 3], [4, 5])
        expectNamesBoth({ try Tensor<Double>(shape: [2, 3], scalars: [1, 2]) }, [2, 3], [2])
        expectNamesBoth({ try self.a23.scatterAdded(indices: [0, 1], axis: 1, size: 4) }, [2, 3], [2])
    }

    @Test func layerNormAndConvolutionMismatches() {
        expectNamesBoth({ try self.a23.layerNormalized(scale: Tensor(shape: [4]), offset: Tensor(shape: [4])) }, [2, 3], [4])
        let x = Tensor<Double>(shape: [1, 2, 5, 5]), w = Tensor<Double>(shape: [3, 4, 3, 3])
        expectNamesBoth({ try x.conv2d(weight: w) }, [1, 2, 5, 5], [3, 4, 3, 3])
        expectNamesBoth({ try Tensor<Double>(shape: [1, 2, 5]).conv1d(weight: Tensor(shape: [3, 2, 9])) }, [1, 2, 5], [3, 2, 9])
        expectNamesBoth({ try x.conv2d(weight: Tensor(shape: [3, 2, 3, 3]), bias: Tensor(shape: [2])) }, [3, 2, 3, 3], [2])
    }

    @Test func axisAndIndexErrorsNameTheShape() {
        #expect(message { try self.a23.sum(axis: 2) }?.contains("[2, 3]") == true)
        #expect(message { try self.a23.gathered(indices: [0, 7], axis: 1) }?.contains("index 7") == true)
        #expect(message { try self.a23.sliced(axis: 0, 1..<3) }?.contains("[2, 3]") == true)
        #expect(message { try self.a23.dropout(probability: 1, seed: 0) } != nil)
        #expect(throws: TensorError.invalidAxis(operation: "softmax", axis: -3, shape: [2, 3])) { try self.a23.softmax(axis: -3) }
    }
}
