namespace RocketNet;

/// <summary>
/// Transcendental functions built from IEEE-exact operations only (+, −, ×, ÷), so they return the
/// same bits on every platform and .NET version, unlike <see cref="Math.Log(double)"/> which calls the
/// platform's C library. Used where reproducibility matters more than the last ulp (random normals).
/// </summary>
public static class DeterministicMath
{
    private const double Ln2 = 0.693147180559945309417232121458;

    /// <summary>Natural logarithm of a positive finite <paramref name="x"/>, accurate to a few ulps.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is not positive and finite.</exception>
    public static double Log(double x)
    {
        if (!(x > 0) || double.IsInfinity(x))
            throw new ArgumentOutOfRangeException(nameof(x), x, "Log needs a positive finite argument.");
        // x = m · 2^e with m in [sqrt(1/2), sqrt(2)); then log x = e·ln2 + 2·atanh((m−1)/(m+1)).
        int e = 0;
        double m = x;
        while (m >= 1.4142135623730951) { m *= 0.5; e++; }
        while (m < 0.7071067811865476) { m *= 2; e--; }
        double s = (m - 1) / (m + 1), s2 = s * s; // |s| ≤ 0.1716, so the series converges fast
        double term = s, sum = 0;
        for (int k = 1; k <= 41; k += 2)
        {
            sum += term / k;
            term *= s2;
        }
        return e * Ln2 + 2 * sum;
    }
}
