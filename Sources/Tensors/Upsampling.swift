extension Variable {
    /// Nearest-neighbour upsampling of `[N, C, H, W]` by `factor` along both spatial axes:
    /// `[N, C, factor·H, factor·W]` (a U-Net's upsampling before a convolution). Its gradient
    /// sums each `factor × factor` block.
    public func upsampledNearest(factor: Int) throws -> Variable {
        let shape = self.shape
        guard shape.count == 4, factor >= 1 else {
            throw TensorError.invalidArgument(operation: "upsampledNearest", message: "input \(shape) must be [N, C, H, W] and factor \(factor) >= 1")
        }
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let (ho, wo) = (h * factor, w * factor)
        var y = Tensor<Scalar>(shape: [shape[0], shape[1], ho, wo])
        value.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { out in
                for p in 0..<planes {
                    for i in 0..<ho {
                        let src = p * h * w + (i / factor) * w, dst = p * ho * wo + i * wo
                        for j in 0..<wo { out[dst + j] = x[src + j / factor] }
                    }
                }
            }
        }
        return .recording("upsampledNearest", value: y, inputs: [self]) { g, _ in
            var dx = Tensor<Scalar>(shape: shape)
            g.withUnsafeBufferPointer { gy in
                dx.withUnsafeMutableBufferPointer { out in
                    for p in 0..<planes {
                        for i in 0..<ho {
                            let dst = p * h * w + (i / factor) * w, src = p * ho * wo + i * wo
                            for j in 0..<wo { out[dst + j / factor] += gy[src + j] }
                        }
                    }
                }
            }
            return [dx]
        }
    }
}
