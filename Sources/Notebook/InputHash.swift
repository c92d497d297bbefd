import Foundation

/// The content hash of everything that can change a paper's report: the manifest, the shared sources,
/// the data, the paper's own folder, the compiler version, the mode and the seed. The report records it
/// (Reproduce section) and `make reproduce` reruns a paper only when it changed.
public enum InputHash {
    /// The compiler that built this binary, to the patch level where the language can tell.
    public static var compilerVersion: String {
        #if compiler(>=6.5)
        return "Swift 6.5 or later"
        #elseif compiler(>=6.4)
        return "Swift 6.4"
        #elseif compiler(>=6.3.2)
        return "Swift 6.3.2"
        #elseif compiler(>=6.3.1)
        return "Swift 6.3.1"
        #elseif compiler(>=6.3)
        return "Swift 6.3"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #elseif compiler(>=6.1)
        return "Swift 6.1"
        #else
        return "Swift 6.0"
        #endif
    }

    /// The package root this binary was built from.
    static var root: URL { URL(fileURLWithPath: Literate.packageFile("Package.swift", from: #filePath)).deletingLastPathComponent() }

    /// The files that make up a paper's inputs, relative to the package root, sorted.
    static func inputFiles(target: String) -> [String] {
        var files = ["Package.swift"]
        let fm = FileManager.default
        for dir in ["Sources", "Data", "Papers/\(target)"] {
            guard let e = fm.enumerator(atPath: root.appendingPathComponent(dir).path) else { continue }
            while let rel = e.nextObject() as? String {
                var isDir: ObjCBool = false
                let path = dir + "/" + rel
                if !rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                   fm.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDir), !isDir.boolValue {
                    files.append(path)
                }
            }
        }
        return files.sorted()
    }

    /// 16 hex digits of FNV-1a (64 bit) over every input file's path and bytes, the compiler version,
    /// the mode, the seed and the paper's entry in `<reportsDir>/stability.json` (the Claims table shows
    /// it); nil if the sources cannot be read (a binary moved away from its package).
    public static func compute(target: String, slug: String? = nil, mode: String, seed: UInt64,
                               reportsDir: String = "Reports") -> String? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        let files = inputFiles(target: target)
        guard files.count > 1 else { return nil }
        for f in files {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(f).path) else { return nil }
            mix(Array(f.utf8) + [0])
            mix(data)
            mix([0])
        }
        mix(Array("\(compilerVersion)|\(mode)|\(seed)".utf8))
        if let slug, let entry = Stability.load(dir: reportsDir)[slug], entry.mode == mode {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if let data = try? encoder.encode(entry) { mix([0]); mix(data) }
        }
        return String(h, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
