import RealModule

/// SplitMix64: small, fast and fully determined by its seed, so a scene is the same on every
/// machine and Swift version (the stdlib's generators make no such promise).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) * 0x1.0p-53
    }

    public mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// A new independent stream, so adding draws to one part of a scene never shifts another part.
    public mutating func fork(_ salt: UInt64) -> SeededRandom { SeededRandom(seed: next() ^ (salt &* 0xD6E8_FEB8_6659_FD93)) }
}

/// Stateless hashing of integer coordinates to [0, 1): per-pixel noise that does not depend on the
/// order pixels are rendered in, so parallel rendering is deterministic.
@inline(__always)
func hash01(_ x: Int32, _ y: Int32, _ seed: UInt32) -> Float {
    var h = UInt32(bitPattern: x) &* 0x8DA6_B343 ^ UInt32(bitPattern: y) &* 0xD816_3841 ^ seed &* 0xCB1A_B31F
    h ^= h >> 13
    h = h &* 0x5BD1_E995
    h ^= h >> 15
    return Float(h >> 8) * 0x1.0p-24
}

/// Value noise on a unit lattice with smooth interpolation, in [0, 1).
@inline(__always)
func valueNoise(_ x: Float, _ y: Float, _ seed: UInt32) -> Float {
    let fx = x.rounded(.down), fy = y.rounded(.down)
    let ix = Int32(fx), iy = Int32(fy)
    var tx = x - fx, ty = y - fy
    tx = tx * tx * (3 - 2 * tx)
    ty = ty * ty * (3 - 2 * ty)
    let a = hash01(ix, iy, seed), b = hash01(ix + 1, iy, seed)
    let c = hash01(ix, iy + 1, seed), d = hash01(ix + 1, iy + 1, seed)
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty
}

/// Fractal (fBm) value noise: `octaves` layers, each twice the frequency and half the amplitude.
func fractalNoise(_ x: Float, _ y: Float, octaves: Int, seed: UInt32) -> Float {
    var sum: Float = 0, amplitude: Float = 0.5, frequency: Float = 1, norm: Float = 0
    for octave in 0..<octaves {
        sum += amplitude * valueNoise(x * frequency, y * frequency, seed &+ UInt32(octave) &* 977)
        norm += amplitude
        amplitude *= 0.5
        frequency *= 2
    }
    return sum / norm
}

/// A standard normal sample from two uniform hashes (Box-Muller).
@inline(__always)
func gaussianHash(_ x: Int32, _ y: Int32, _ seed: UInt32) -> Float {
    let u1 = max(hash01(x, y, seed), 1e-7), u2 = hash01(x, y, seed &+ 0x68E3_1DA4)
    return (-2 * Float.log(u1)).squareRoot() * Float.cos(2 * .pi * u2)
}
