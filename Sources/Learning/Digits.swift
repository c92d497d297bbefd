import Foundation
import Numerics

/// The UCI 8x8 handwritten digits (1797 images, 64 pixel counts 0..16 each, labels 0..9), shipped in
/// `Data/digits.csv` (CC BY 4.0; see `Data/README.md`).
public struct DigitsDataset: Sendable {
    /// n x 64 raw pixel counts, 0..16, one image per row (the 8x8 image row by row).
    public let pixels: Matrix
    /// Labels 0..9.
    public let labels: [Int]
    public var count: Int { labels.count }
    public static let classes = 10

    public init(pixels: Matrix, labels: [Int]) {
        precondition(pixels.rows == labels.count, "DigitsDataset: one label per image")
        self.pixels = pixels; self.labels = labels
    }

    /// Reads the CSV (64 integers then the label on each line). Throws if the file is missing or malformed.
    public static func load(path: String) throws -> DigitsDataset {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.missing("data file \(path) not found (it ships with the repository: restore Data/)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DatasetError.malformed("data file \(path) cannot be read as UTF-8 text")
        }
        var values: [Double] = [], labels: [Int] = []
        for (number, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard fields.count == 65, let label = Int(fields[64]), (0..<10).contains(label) else {
                throw DatasetError.malformed("digits.csv line \(number + 1): expected 64 pixels and a label 0..9")
            }
            for f in fields[0..<64] {
                guard let v = Double(f) else { throw DatasetError.malformed("digits.csv line \(number + 1): '\(f)' is not a number") }
                values.append(v)
            }
            labels.append(label)
        }
        return DigitsDataset(pixels: Matrix(rows: labels.count, cols: 64, elements: values), labels: labels)
    }

    /// `Data/digits.csv` of the package that contains `file` (found by walking up to `Package.swift`),
    /// or `$REPRISE_DATA/digits.csv` when that environment variable names another data folder.
    public static func load(nearSourceFile file: String = #filePath) throws -> DigitsDataset {
        if let folder = ProcessInfo.processInfo.environment["REPRISE_DATA"], !folder.isEmpty {
            return try load(path: URL(fileURLWithPath: folder).appendingPathComponent("digits.csv").path)
        }
        var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return try load(path: dir.appendingPathComponent("Data/digits.csv").path)
            }
            dir.deleteLastPathComponent()
        }
        throw DatasetError.malformed("no Package.swift above \(file): cannot find Data/digits.csv")
    }

    /// The first `n` images (the file is not sorted by label, so every class is present for n ≳ 100).
    public func prefix(_ n: Int) -> DigitsDataset {
        let n = Swift.min(n, count)
        return DigitsDataset(pixels: pixels.submatrix(rows: 0..<n, cols: 0..<64), labels: Array(labels[0..<n]))
    }

    /// The design matrix: pixels / 16 (so features lie in [0, 1]), with a trailing column of ones if `bias`.
    public func features(bias: Bool = true) -> Matrix {
        let p = bias ? 65 : 64
        var x = Matrix(rows: count, cols: p)
        for i in 0..<count {
            for j in 0..<64 { x[i, j] = pixels[i, j] / 16 }
            if bias { x[i, 64] = 1 }
        }
        return x
    }
}

/// A train/test split of the digits: features pixels/16 (no bias column) and labels.
public struct DigitsSplit: Sendable {
    public let trainX: Matrix, trainLabels: [Int]
    public let testX: Matrix, testLabels: [Int]
}

extension DigitsDataset {
    /// The first `trainCount` images of a random permutation drawn from `rng` for training, the rest
    /// for testing (one `permutation(count)` draw, whatever `trainCount` is).
    public func split(trainCount: Int, rng: inout RandomSource) -> DigitsSplit {
        precondition(trainCount > 0 && trainCount < count, "DigitsDataset.split: trainCount must leave both parts non-empty")
        let x = features(bias: false)
        let order = rng.permutation(count)
        let train = Array(order[0..<trainCount]), test = Array(order[trainCount...])
        return DigitsSplit(trainX: x.rows(train), trainLabels: train.map { labels[$0] },
                           testX: x.rows(test), testLabels: test.map { labels[$0] })
    }
}

/// Why a data file could not be loaded.
public enum DatasetError: Error, CustomStringConvertible {
    case missing(String)
    case malformed(String)
    public var description: String {
        switch self { case .missing(let what), .malformed(let what): return what }
    }
}
