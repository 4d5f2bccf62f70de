/// This process's place in data-parallel training (under `mpirun`): its rank among `size`
/// processes, and the sum over the ranks of a vector (an MPI all-reduce, supplied by the caller
/// so that this module does not depend on MPI).
///
/// Every rank draws the same batch, computes the loss and gradients of its share of the batch's
/// items (``share(of:)``: the items `k` with `k mod size == rank`), and ``sum(loss:gradients:)``
/// adds them over the ranks. The result is the 1-rank gradient up to the order of the additions,
/// and every rank then applies the same optimizer update, so the ranks' weights stay equal.
public struct DataParallelGroup {
    /// This process's rank, `0..<size`.
    public var rank: Int
    /// The number of processes sharing each batch.
    public var size: Int
    /// Replaces a vector by its element-wise sum over all ranks (the same on every rank).
    public var sumOverRanks: (inout [Double]) throws -> Void

    /// One process alone (nothing to sum).
    public init() {
        self.init(rank: 0, size: 1) { _ in }
    }

    public init(rank: Int, size: Int, sumOverRanks: @escaping (inout [Double]) throws -> Void) {
        precondition(size >= 1 && (0..<size).contains(rank), "DataParallelGroup: rank \(rank) is not in 0..<\(size)")
        (self.rank, self.size, self.sumOverRanks) = (rank, size, sumOverRanks)
    }

    /// The items of `0..<count` this rank computes: `rank, rank + size, …`.
    public func share(of count: Int) -> [Int] {
        Array(stride(from: rank, to: count, by: size))
    }

    /// Sums a loss and, when given, its gradients over the ranks (in parameter order, in Double).
    /// A rank whose share was empty passes zero gradients of the model's shapes.
    public func sum<Scalar: TensorScalar>(loss: Double, gradients: Parameters<Scalar>?) throws -> (loss: Double, gradients: Parameters<Scalar>?) {
        guard size > 1 else { return (loss, gradients) }
        var flat = [loss]
        if let gradients {
            for (_, tensor) in gradients { flat += tensor.scalars.map { Double($0) } }
        }
        try sumOverRanks(&flat)
        guard let template = gradients else { return (flat[0], nil) }
        var offset = 1
        let summed = try template.mapTensors { _, tensor in
            defer { offset += tensor.count }
            return try Tensor(shape: tensor.shape, scalars: flat[offset..<(offset + tensor.count)].map { Scalar($0) })
        }
        return (flat[0], summed)
    }
}
