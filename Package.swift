// swift-tools-version:6.0
//
// Reprise: literate reproductions of optimization and robustness papers.
// No package dependencies: the standard library, Foundation, Dispatch and XCTest only.
//
// Every folder under Papers/ is one executable target, discovered here so that adding a
// paper never means editing this manifest. Its tests live in Tests/PaperTests.
import PackageDescription
import Foundation

let root = URL(fileURLWithPath: Context.packageDirectory)
let paperNames: [String] = {
    let dir = root.appendingPathComponent("Papers")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { name in
        var isDir: ObjCBool = false
        let path = dir.appendingPathComponent(name).path
        return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            && isDir.boolValue
            && FileManager.default.fileExists(atPath: path + "/main.swift")
    }.sorted()
}()

let paperTargets: [Target] = paperNames.map { name in
    .executableTarget(
        name: name,
        dependencies: ["Numerics", "Learning", "Notebook"],
        path: "Papers/\(name)"
    )
}

// The tests are compiled without optimization, even in a release build: their work is in the
// optimized modules they call, and PaperTests, the module the test build compiles last and alone,
// took 25 s of CPU optimized against 15 s without. The Numerics tests' reference computations
// (naive products, residuals of n = 257 factorizations), which ran 20 s longer unoptimized, are a
// small optimized module of their own, NumericsReference (NumericsTests: 34 s of CPU to compile
// optimized).
let testSettings: [SwiftSetting] = [.unsafeFlags(["-Onone"])]

let package = Package(
    name: "Reprise",
    products: [
        .library(name: "Numerics", targets: ["Numerics"]),
        .library(name: "Learning", targets: ["Learning"]),
        .library(name: "Notebook", targets: ["Notebook"]),
    ] + paperNames.map { .executable(name: $0, targets: [$0]) },
    targets: [
        .target(name: "Numerics", path: "Sources/Numerics"),
        .target(name: "Learning", dependencies: ["Numerics"], path: "Sources/Learning"),
        // The report generator formats text and draws plots in milliseconds per paper; compiled without
        // optimization it builds in about 4 s of CPU instead of 28 (every paper depends on it; it
        // compiles beside Numerics, the longest module before the papers).
        .target(name: "Notebook", path: "Sources/Notebook", swiftSettings: [.unsafeFlags(["-Onone"])]),
        .executableTarget(name: "ReportIndex", dependencies: ["Notebook"], path: "Tools/ReportIndex"),
        .target(name: "NumericsReference", dependencies: ["Numerics"], path: "Tests/NumericsReference"),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "NumericsReference"], path: "Tests/NumericsTests",
                    swiftSettings: testSettings),
        .testTarget(name: "LearningTests", dependencies: ["Numerics", "Learning"], path: "Tests/LearningTests",
                    swiftSettings: testSettings),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"], path: "Tests/NotebookTests",
                    swiftSettings: testSettings),
        .testTarget(
            name: "PaperTests",
            dependencies: ["Numerics", "Learning", "Notebook"] + paperNames.map { .target(name: $0) },
            path: "Tests/PaperTests",
            swiftSettings: testSettings
        ),
    ] + paperTargets,
    swiftLanguageModes: [.v5]
)
