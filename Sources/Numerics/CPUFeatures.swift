import Foundation

/// What the CPU reports about its vector units, read once. Used to pick the matrix-product
/// micro-kernel (`GEMMKernel.Tile`); the choice changes speed only, never a result.
public enum CPUFeatures {
    /// The instruction-set flags the operating system lists for the first CPU (`/proc/cpuinfo` on
    /// Linux); empty where that file does not exist.
    public static let flags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init))
    }()

    /// True when the CPU has 512-bit vector registers (AVX-512 Foundation).
    public static var hasAVX512: Bool {
        #if arch(x86_64)
        return flags.contains("avx512f")
        #else
        return false
        #endif
    }

    /// The matrix-product micro-kernel in use, for logs and benchmarks ("6x32 (AVX-512)" or "4x8 (AVX2)").
    public static var gemmTile: String {
        let t = GEMMKernel.Tile.selected
        return "\(t.mr)x\(t.nr) (" + (t == .wide ? "512-bit vectors" : "256-bit vectors") + ")"
    }
}
