// swift-tools-version:6.0
//
// The benchmark behind `make bench`: a package of its own, next to Reprise and using its kernel by
// path, so that `make test` (which builds every target of the main package) does not compile it.
import PackageDescription

let package = Package(
    name: "RepriseBench",
    dependencies: [.package(name: "Reprise", path: "../..")],
    targets: [
        .executableTarget(
            name: "Bench",
            dependencies: [.product(name: "Numerics", package: "Reprise"), .product(name: "Learning", package: "Reprise")],
            path: "Sources/Bench"
        ),
    ],
    swiftLanguageModes: [.v5]
)
