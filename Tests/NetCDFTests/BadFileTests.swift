import Foundation
import Testing
@testable import NetCDF
import TestSupport

/// Files that are not good NetCDF give a `NetCDFError` that names the file and says what is wrong.
@Suite struct BadFileTests {
    /// A small valid NetCDF-4 file with a record variable, returned as bytes.
    static func goodFileBytes(in dir: TemporaryDirectory) throws -> Data {
        let path = dir.file("good.nc")
        let dataset = try Dataset.create(path)
        try dataset.defineDimension("time", length: nil)
        try dataset.defineDimension("x", length: 64)
        try dataset.defineVariable("u", type: .float64, dimensions: ["time", "x"],
                                   attributes: ["units": "m"], compression: Compression(), chunkSizes: [1, 64])
        for step in 0..<20 {
            try dataset.appendRecords(["u": .float64((0..<64).map { sin(Double($0 + step)) })])
        }
        try dataset.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func openError(_ bytes: Data, name: String = "bad.nc") throws -> NetCDFError {
        let dir = TemporaryDirectory()
        let path = dir.file(name)
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            let dataset = try Dataset.open(path)
            _ = try dataset.read(Double.self, from: "u")
        } catch let error as NetCDFError {
            #expect(error.path == path)
            return error
        }
        Issue.record("opening \(bytes.count) bad bytes did not fail")
        return NetCDFError(path: path, operation: "", message: "")
    }

    @Test func emptyFile() throws {
        let error = try openError(Data())
        #expect(error.message.contains("empty"))
    }

    @Test func textFile() throws {
        let error = try openError(Data("time,x,y\n0,1,2\n".utf8), name: "table.csv")
        #expect(error.message.contains("not a NetCDF file"))
    }

    @Test func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) } )
        let error = try openError(bytes)
        #expect(error.message.contains("not a NetCDF file"))
    }

    @Test func missingFileAndDirectory() throws {
        let dir = TemporaryDirectory()
        #expect(throws: NetCDFError.self) { try Dataset.open(dir.file("nope.nc")) }
        do {
            _ = try Dataset.open(dir.path)
            Issue.record("opening a directory did not fail")
        } catch let error as NetCDFError {
            #expect(error.message.contains("directory"))
        }
        do {
            _ = try Dataset.create(dir.file("no/such/dir/out.nc"))
            Issue.record("creating in a missing directory did not fail")
        } catch let error as NetCDFError {
            #expect(error.message.contains("does not exist"))
        }
    }

    @Test(arguments: [0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    func truncatedNetCDF4(fraction: Double) throws {
        let dir = TemporaryDirectory()
        let good = try Self.goodFileBytes(in: dir)
        let cut = good.prefix(Int(Double(good.count) * fraction))
        let error = try openError(Data(cut))
        // The probe reads the HDF5 superblock's end-of-file address before libnetcdf sees the file.
        #expect(error.message.contains("the file is truncated: it has \(cut.count) bytes but its HDF5 superblock says \(good.count)"),
                "\(error)")
    }

    @Test func truncatedClassicHeader() throws {
        // "CDF\u{1}" and then nothing: the classic header is incomplete.
        let error = try openError(Data([0x43, 0x44, 0x46, 0x01, 0x00]))
        #expect(error.message.contains("truncated"))
    }

    @Test func corruptedBytesNeverCrash() throws {
        // Overwrite runs of bytes across the file: each open/read either works or throws.
        let dir = TemporaryDirectory()
        let good = try Self.goodFileBytes(in: dir)
        var failures = 0
        for position in stride(from: 8, to: good.count - 16, by: max(1, good.count / 40)) {
            var bad = good
            for k in 0..<16 { bad[position + k] = 0xA5 }
            let path = dir.file("corrupt-\(position).nc")
            try bad.write(to: URL(fileURLWithPath: path))
            do {
                let dataset = try Dataset.open(path)
                _ = try dataset.read(Double.self, from: "u")
            } catch is NetCDFError {
                failures += 1
            }
        }
        #expect(failures > 0)
    }

    @Test func misuseIsReportedWithNames() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("misuse.nc")
        let dataset = try Dataset.create(path)
        try dataset.defineDimension("x", length: 3)
        try dataset.defineVariable("v", type: .float64, dimensions: ["x"])

        do {
            try dataset.write([1.0, 2.0], to: "v")
            Issue.record("wrong value count accepted")
        } catch let error as NetCDFError {
            #expect(error.variable == "v")
            #expect(error.message.contains("2 values"))
        }
        do {
            try dataset.write([1.0], to: "w")
            Issue.record("unknown variable accepted")
        } catch let error as NetCDFError {
            #expect(error.variable == "w")
            #expect(error.message.contains("no such variable"))
            #expect(error.message.contains("v"))
        }
        do {
            try dataset.defineVariable("bad", type: .float64, dimensions: ["nope"])
            Issue.record("unknown dimension accepted")
        } catch let error as NetCDFError {
            #expect(error.message.contains("'nope'"))
        }
        do {
            try dataset.defineVariable("v", type: .float64, dimensions: ["x"])
            Issue.record("duplicate variable accepted")
        } catch let error as NetCDFError {
            #expect(error.status != nil)
            #expect(error.description.contains(path))
        }
        do {
            try dataset.defineVariable("s", type: .string, dimensions: ["x"])
            Issue.record("string variable accepted")
        } catch let error as NetCDFError {
            #expect(error.message.contains("cannot be written"))
        }
        try dataset.write([1.0, 2.0, 3.0], to: "v")
        try dataset.close()
        #expect(throws: NetCDFError.self) { try dataset.write([1.0, 2.0, 3.0], to: "v") }

        let reader = try Dataset.open(path)
        do {
            try reader.write([1.0, 2.0, 3.0], to: "v")
            Issue.record("write to read-only dataset accepted")
        } catch let error as NetCDFError {
            #expect(error.message.contains("read-only"))
        }
        #expect(throws: NetCDFError.self) { try reader.read(Double.self, from: "v", start: [2], count: [5]) }
    }
}
