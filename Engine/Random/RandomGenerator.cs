namespace RocketNet;

/// <summary>
/// The engine's seeded random number generator: xoshiro256** seeded through SplitMix64. Unlike
/// <see cref="System.Random"/> (whose algorithm may change between .NET versions) its sequence is
/// fixed by this file alone, so a seed reproduces a run exactly on any platform. Normal variates use
/// the Marsaglia polar method with <see cref="DeterministicMath.Log"/>, which uses only IEEE-exact
/// arithmetic, so they are reproducible too. Not thread-safe: use one generator per thread.
/// </summary>
public sealed class RandomGenerator
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public RandomGenerator(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>
    /// Uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        uint range = (uint)maxExclusive;
        ulong product = (ulong)(uint)(NextUInt64() >> 32) * range;
        if ((uint)product < range)
        {
            uint threshold = (uint)(-range) % range; // 2^32 mod range: the draws that would bias
            while ((uint)product < threshold) product = (ulong)(uint)(NextUInt64() >> 32) * range;
        }
        return (int)(product >> 32);
    }

    /// <summary>Standard normal variate (mean 0, standard deviation 1).</summary>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double factor = Math.Sqrt(-2 * DeterministicMath.Log(s) / s); // sqrt is IEEE-exact
        _spareNormal = v * factor;
        _hasSpareNormal = true;
        return u * factor;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with N(<paramref name="mean"/>, <paramref name="std"/>²) samples.
    /// </summary>
    public void FillNormal(Span<float> destination, float mean = 0, float std = 1)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)(mean + std * NextNormal());
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with U[<paramref name="low"/>, <paramref name="high"/>) samples.
    /// </summary>
    public void FillUniform(Span<float> destination, float low = 0, float high = 1)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            // Rounding to float can land exactly on high for draws within 2^-25 of 1; redraw those so the
            // interval stays half-open as documented.
            float v;
            do v = (float)(low + (high - (double)low) * NextDouble());
            while (v >= high && high > low);
            destination[i] = v;
        }
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates), reproducibly for a given state.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
