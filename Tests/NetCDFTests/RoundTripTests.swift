import Foundation
import Testing
@testable import NetCDF
import TestSupport

@Suite struct RoundTripTests {
    @Test func everyVariableTypeRoundTripsExactly() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("types.nc")
        let doubles: [Double] = [0, -1.5, .pi, 1e-300, -1e300, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 42]
        let floats: [Float] = [0, -1.5, .pi, 1e-30, 3e38, .leastNonzeroMagnitude, -7, 8]
        let int32s: [Int32] = [0, -1, 1, .min, .max, 123_456, -654_321, 7]
        let int64s: [Int64] = [0, -1, 1, .min, .max, 9_007_199_254_740_993, -5, 6]

        let dataset = try Dataset.create(path)
        try dataset.defineDimension("n", length: 8)
        try dataset.defineVariable("d", type: .float64, dimensions: ["n"])
        try dataset.defineVariable("f", type: .float32, dimensions: ["n"])
        try dataset.defineVariable("i", type: .int32, dimensions: ["n"])
        try dataset.defineVariable("l", type: .int64, dimensions: ["n"])
        try dataset.write(doubles, to: "d")
        try dataset.write(floats, to: "f")
        try dataset.write(int32s, to: "i")
        try dataset.write(int64s, to: "l")
        try dataset.close()

        let reopened = try Dataset.open(path)
        #expect(try reopened.read(Double.self, from: "d") == doubles)
        #expect(try reopened.read(Float.self, from: "f") == floats)
        #expect(try reopened.read(Int32.self, from: "i") == int32s)
        #expect(try reopened.read(Int64.self, from: "l") == int64s)
        #expect(try reopened.read("d") == .float64(doubles))
        #expect(try reopened.read("f") == .float32(floats))
        #expect(try reopened.read("i") == .int32(int32s))
        #expect(try reopened.read("l") == .int64(int64s))
        #expect(try reopened.variable("f").dataType == .float32)
        #expect(try reopened.variable("l").dataType == .int64)
    }

    @Test func everyAttributeTypeRoundTrips() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("attributes.nc")
        let dataset = try Dataset.create(path)
        try dataset.defineDimension("x", length: 2)
        try dataset.defineVariable("v", type: .float64, dimensions: ["x"], attributes: [
            "units": "m s-1",
            "long_name": "speed of the flow — ünïcode ok",
            "valid_range": .float64([0, 1e3]),
            "scale": .float32([0.5]),
            "flags": .int32([1, 2, 4]),
            "big": .int64([Int64.max, Int64.min]),
            "empty": "",
        ])
        try dataset.setAttribute("Conventions", "CF-1.10")
        try dataset.setAttribute("answer", 42)
        try dataset.setAttribute("pi", 3.25)
        try dataset.write([1.0, 2.0], to: "v")
        try dataset.close()

        let reopened = try Dataset.open(path)
        let v = try reopened.variable("v")
        #expect(v.attributes.map(\.name) == ["units", "long_name", "valid_range", "scale", "flags", "big", "empty"])
        #expect(v.attribute("units") == .text("m s-1"))
        #expect(v.attribute("long_name") == .text("speed of the flow — ünïcode ok"))
        #expect(v.attribute("valid_range") == .float64([0, 1e3]))
        #expect(v.attribute("scale") == .float32([0.5]))
        #expect(v.attribute("flags") == .int32([1, 2, 4]))
        #expect(v.attribute("big") == .int64([Int64.max, Int64.min]))
        #expect(v.attribute("empty") == .text(""))
        #expect(try reopened.attribute("Conventions") == .text("CF-1.10"))
        #expect(try reopened.attribute("answer") == .int32([42]))
        #expect(try reopened.attribute("pi") == .float64([3.25]))
        #expect(try reopened.attribute("missing") == nil)
    }

    @Test func appendingAlongTimeThenReopening() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("records.nc")
        let dataset = try Dataset.create(path)
        try dataset.defineDimension("time", length: nil)
        try dataset.defineDimension("x", length: 3)
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"],
                                   attributes: ["units": "seconds since 2000-01-01 00:00:00", "axis": "T"])
        try dataset.defineVariable("u", type: .float32, dimensions: ["time", "x"],
                                   compression: Compression(level: 5), chunkSizes: [1, 3])
        for step in 0..<5 {
            let index = try dataset.appendRecords([
                "time": .float64([Double(step) * 0.5]),
                "u": .float32([Float(step), Float(step) + 0.25, Float(step) + 0.5]),
            ])
            #expect(index == step)
        }
        // Two records in one call.
        try dataset.appendRecords(["time": .float64([2.5, 3.0]), "u": .float32([5, 5, 5, 6, 6, 6])], records: 2)
        #expect(try dataset.dimension("time").length == 7)
        // Nothing is at the destination until close.
        #expect(!FileManager.default.fileExists(atPath: path))
        try dataset.close()
        #expect(dir.contents() == ["records.nc"])

        let reopened = try Dataset.open(path)
        let time = try reopened.dimension("time")
        #expect(time.isUnlimited && time.length == 7)
        #expect(try reopened.read(Double.self, from: "time") == [0, 0.5, 1, 1.5, 2, 2.5, 3])
        let u = try reopened.read(Float.self, from: "u")
        #expect(u.count == 21)
        #expect(Array(u[3..<6]) == [1, 1.25, 1.5])
        #expect(try reopened.read(Float.self, from: "u", start: [6, 0], count: [1, 3]) == [6, 6, 6])
        let info = try reopened.variable("u")
        #expect(info.chunkSizes == [1, 3])
        #expect(info.compression == Compression(level: 5, shuffle: true))
        #expect(info.shape == [7, 3])
        try reopened.close()

        // Append more to the existing file: the original stays intact until close.
        let appending = try Dataset.openForAppending(path)
        try appending.appendRecords(["time": .float64([3.5]), "u": .float32([7, 7, 7])])
        #expect(try Dataset.open(path).dimension("time").length == 7)
        try appending.close()
        #expect(try Dataset.open(path).read(Double.self, from: "time").last == 3.5)
        #expect(dir.contents() == ["records.nc"])
    }

    @Test func droppedDatasetLeavesThePreviousFileAlone() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("keep.nc")
        do {
            let good = try Dataset.create(path)
            try good.defineDimension("x", length: 1)
            try good.defineVariable("v", type: .float64, dimensions: ["x"])
            try good.write([1.0], to: "v")
            try good.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            let abandoned = try Dataset.create(path)
            try abandoned.defineDimension("x", length: 2)
            try abandoned.defineVariable("v", type: .float64, dimensions: ["x"])
            try abandoned.write([9.0, 9.0], to: "v")
            // dropped without close()
        }
        let discarded = try Dataset.create(path)
        discarded.discard()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(dir.contents() == ["keep.nc"])
        #expect(try Dataset.open(path).read(Double.self, from: "v") == [1.0])
    }

    @Test func readsConvertBetweenTypes() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("convert.nc")
        let dataset = try Dataset.create(path)
        try dataset.defineDimension("n", length: 3)
        try dataset.defineVariable("i", type: .int32, dimensions: ["n"])
        try dataset.write([Int32(1), 2, 3], to: "i")
        try dataset.close()
        #expect(try Dataset.open(path).read(Double.self, from: "i") == [1, 2, 3])
    }

    @Test func concurrentReadersAreSerialisedSafely() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("shared.nc")
        let dataset = try Dataset.create(path)
        try dataset.defineDimension("n", length: 1000)
        try dataset.defineVariable("v", type: .float64, dimensions: ["n"])
        let values = (0..<1000).map { Double($0) * 0.001 }
        try dataset.write(values, to: "v")
        try dataset.close()
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            do {
                let reader = try Dataset.open(path)
                if try reader.read(Double.self, from: "v") != values { failures.increment() }
                try reader.close()
            } catch {
                failures.increment()
            }
        }
        #expect(failures.value == 0)
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
