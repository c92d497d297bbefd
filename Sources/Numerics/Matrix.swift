/// A dense, row-major matrix of `Double` with value semantics.
///
/// Element (i, j) lives at `storage[i * cols + j]`. Copies are cheap until written to
/// (the storage is a Swift array, copy-on-write). Every product goes through `gemm`.
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    public let rows: Int
    public let cols: Int
    public var storage: [Double]

    /// A `rows x cols` matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        self.storage = Array(repeating: value, count: rows * cols)
    }

    /// A `rows x cols` matrix from row-major elements.
    public init(rows: Int, cols: Int, elements: [Double]) {
        precondition(elements.count == rows * cols, "Matrix(rows:cols:elements:) needs rows*cols elements")
        self.rows = rows
        self.cols = cols
        self.storage = elements
    }

    /// A matrix from an array of rows (all of the same length).
    public init(_ rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "Matrix rows must have equal length")
        self.init(rows: r, cols: c, elements: rowArrays.flatMap { $0 })
    }

    /// The rows listed in `indices`, in that order (repeats allowed): a mini-batch or a subsample.
    public func rows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
        var out = [Double]()
        out.reserveCapacity(indices.count * cols)
        for i in indices {
            precondition(i >= 0 && i < rows, "row index \(i) out of range 0..<\(rows)")
            out.append(contentsOf: storage[(i * cols)..<((i + 1) * cols)])
        }
        return Matrix(rows: indices.count, cols: cols, elements: out)
    }

    /// A matrix whose element (i, j) is `f(i, j)`.
    public init(rows: Int, cols: Int, _ f: (Int, Int) -> Double) {
        var s = [Double]()
        s.reserveCapacity(rows * cols)
        for i in 0..<rows { for j in 0..<cols { s.append(f(i, j)) } }
        self.init(rows: rows, cols: cols, elements: s)
    }

    public static func zeros(_ rows: Int, _ cols: Int) -> Matrix { Matrix(rows: rows, cols: cols) }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.storage[i * n + i] = 1 }
        return m
    }

    /// A square matrix with `d` on its diagonal.
    public static func diagonal(_ d: [Double]) -> Matrix {
        var m = Matrix(rows: d.count, cols: d.count)
        for i in 0..<d.count { m.storage[i * d.count + i] = d[i] }
        return m
    }

    /// A column vector (n x 1).
    public static func column(_ v: [Double]) -> Matrix { Matrix(rows: v.count, cols: 1, elements: v) }

    @inline(__always)
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i * cols + j] }
        set { storage[i * cols + j] = newValue }
    }

    public var isSquare: Bool { rows == cols }
    public var count: Int { rows * cols }
    public var shape: (rows: Int, cols: Int) { (rows, cols) }

    public func row(_ i: Int) -> [Double] { Array(storage[(i * cols)..<((i + 1) * cols)]) }
    public func column(_ j: Int) -> [Double] { (0..<rows).map { storage[$0 * cols + j] } }

    public mutating func setRow(_ i: Int, _ v: [Double]) {
        precondition(v.count == cols)
        for j in 0..<cols { storage[i * cols + j] = v[j] }
    }

    public mutating func setColumn(_ j: Int, _ v: [Double]) {
        precondition(v.count == rows)
        for i in 0..<rows { storage[i * cols + j] = v[i] }
    }

    /// The diagonal elements.
    public var diagonalElements: [Double] { (0..<Swift.min(rows, cols)).map { storage[$0 * cols + $0] } }

    /// The sub-matrix of rows `r` and columns `c`.
    public func submatrix(rows r: Range<Int>, cols c: Range<Int>) -> Matrix {
        var m = Matrix(rows: r.count, cols: c.count)
        storage.withUnsafeBufferPointer { src in
            m.storage.withUnsafeMutableBufferPointer { dst in
                for (ii, i) in r.enumerated() {
                    for (jj, j) in c.enumerated() { dst[ii * c.count + jj] = src[i * cols + j] }
                }
            }
        }
        return m
    }

    /// Writes `block` into this matrix with its top-left corner at (i0, j0).
    public mutating func setSubmatrix(at i0: Int, _ j0: Int, _ block: Matrix) {
        precondition(i0 + block.rows <= rows && j0 + block.cols <= cols)
        for i in 0..<block.rows {
            for j in 0..<block.cols { storage[(i0 + i) * cols + j0 + j] = block.storage[i * block.cols + j] }
        }
    }

    /// The transpose, computed in cache-friendly 32x32 tiles.
    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        let (m, n) = (rows, cols)
        storage.withUnsafeBufferPointer { src in
            t.storage.withUnsafeMutableBufferPointer { dst in
                let tile = 32
                var i0 = 0
                while i0 < m {
                    let i1 = Swift.min(i0 + tile, m)
                    var j0 = 0
                    while j0 < n {
                        let j1 = Swift.min(j0 + tile, n)
                        for i in i0..<i1 { for j in j0..<j1 { dst[j * m + i] = src[i * n + j] } }
                        j0 = j1
                    }
                    i0 = i1
                }
            }
        }
        return t
    }

    public var trace: Double {
        var s = 0.0
        for i in 0..<Swift.min(rows, cols) { s += storage[i * cols + i] }
        return s
    }

    /// True if any element is NaN or infinite.
    public var hasNonFinite: Bool { storage.contains { !$0.isFinite } }

    /// (A + Aᵀ)/2, for a square matrix.
    public var symmetrized: Matrix {
        precondition(isSquare)
        var s = self
        for i in 0..<rows { for j in 0..<i {
            let v = 0.5 * (self[i, j] + self[j, i]); s[i, j] = v; s[j, i] = v
        } }
        return s
    }

    /// The elementwise image (inlinable, so that the closure is inlined into the caller's loop
    /// rather than called once per element).
    @inlinable
    public func map(_ f: (Double) -> Double) -> Matrix {
        Matrix(rows: rows, cols: cols, elements: storage.map(f))
    }

    public var description: String {
        var out = "Matrix \(rows)x\(cols)\n"
        for i in 0..<Swift.min(rows, 8) {
            out += (0..<Swift.min(cols, 8)).map { String(format: "% .4e", self[i, $0]) }.joined(separator: " ")
            out += cols > 8 ? " ...\n" : "\n"
        }
        if rows > 8 { out += "...\n" }
        return out
    }
}

// MARK: - Arithmetic

extension Matrix {
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix + needs equal shapes")
        var c = a
        c.storage.withUnsafeMutableBufferPointer { cp in
            b.storage.withUnsafeBufferPointer { bp in for i in 0..<cp.count { cp[i] += bp[i] } }
        }
        return c
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "Matrix - needs equal shapes")
        var c = a
        c.storage.withUnsafeMutableBufferPointer { cp in
            b.storage.withUnsafeBufferPointer { bp in for i in 0..<cp.count { cp[i] -= bp[i] } }
        }
        return c
    }

    public static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }

    public static func * (s: Double, a: Matrix) -> Matrix { a.map { s * $0 } }
    public static func * (a: Matrix, s: Double) -> Matrix { a.map { s * $0 } }
    public static func / (a: Matrix, s: Double) -> Matrix { a.map { $0 / s } }

    /// The matrix product, through `gemm`.
    public static func * (a: Matrix, b: Matrix) -> Matrix { matmul(a, b) }

    public static func += (a: inout Matrix, b: Matrix) { a = a + b }
    public static func -= (a: inout Matrix, b: Matrix) { a = a - b }
    public static func *= (a: inout Matrix, s: Double) { a = a * s }

    /// `self += alpha * x`, in place.
    public mutating func addScaled(_ x: Matrix, _ alpha: Double) {
        precondition(rows == x.rows && cols == x.cols)
        storage.withUnsafeMutableBufferPointer { cp in
            x.storage.withUnsafeBufferPointer { xp in for i in 0..<cp.count { cp[i] += alpha * xp[i] } }
        }
    }

    /// Elementwise (Hadamard) product.
    public func hadamard(_ b: Matrix) -> Matrix {
        precondition(rows == b.rows && cols == b.cols)
        var c = self
        for i in 0..<c.storage.count { c.storage[i] *= b.storage[i] }
        return c
    }

    /// The Frobenius inner product ⟨A, B⟩ = Σ A_ij B_ij.
    public func dot(_ b: Matrix) -> Double {
        precondition(rows == b.rows && cols == b.cols)
        return Vector.dot(storage, b.storage)
    }

    /// Matrix-vector product A x.
    public func apply(_ x: [Double]) -> [Double] { gemv(self, x) }

    /// Aᵀ x.
    public func applyTransposed(_ x: [Double]) -> [Double] { gemv(self, x, transposed: true) }
}
