import Foundation
import XCTest
import Numerics
@testable import Learning

/// The shipped digits data and its loader: the file is what `Data/README.md` says, and a missing or
/// malformed file is one clear line naming it.
final class DigitsTests: XCTestCase {
    func testShippedFileHasTheDocumentedShape() throws {
        let d = try DigitsDataset.load()
        XCTAssertEqual(d.count, 1797)
        XCTAssertEqual(d.pixels.cols, 64)
        XCTAssertEqual(Set(d.labels), Set(0..<10))
        XCTAssertTrue(d.pixels.storage.allSatisfy { $0 >= 0 && $0 <= 16 && $0 == $0.rounded() })
        let x = d.features(bias: true)
        XCTAssertEqual(x.cols, 65)
        XCTAssertEqual(x[0, 64], 1)
    }

    /// The split is a partition of the images (every image once, in the stated sizes) drawn by one
    /// permutation of the caller's generator, so the same generator state gives the same split.
    func testSplitIsAPartitionFromOnePermutation() throws {
        let d = try DigitsDataset.load()
        var r1 = RandomSource(seed: 11), r2 = RandomSource(seed: 11)
        let s = d.split(trainCount: 1000, rng: &r1)
        XCTAssertEqual(s.trainX.rows, 1000)
        XCTAssertEqual(s.testX.rows, d.count - 1000)
        XCTAssertEqual(s.trainLabels.count + s.testLabels.count, d.count)
        let order = r2.permutation(d.count)
        let x = d.features(bias: false)
        XCTAssertEqual(s.trainX.storage, x.rows(Array(order[0..<1000])).storage)
        XCTAssertEqual(s.testLabels, order[1000...].map { d.labels[$0] })
        XCTAssertEqual(r1.next(), r2.next(), "one permutation drawn, nothing else")
    }

    func testMissingFileIsOneLineNamingIt() {
        let path = "/nonexistent-reprise/digits.csv"
        XCTAssertThrowsError(try DigitsDataset.load(path: path)) { error in
            guard case DatasetError.missing = error else { return XCTFail("expected .missing, got \(error)") }
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
    }

    func testMalformedLineIsNamed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-bad-digits.csv")
        let good = (0..<64).map { _ in "0" }.joined(separator: ",") + ",3"
        try (good + "\n" + "1,2,3\n").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DigitsDataset.load(path: url.path)) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
    }
}
