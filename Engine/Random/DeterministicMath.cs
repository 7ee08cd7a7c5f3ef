namespace RocketNet;

/// <summary>
/// Transcendental functions built from IEEE-exact operations only (+, −, ×, ÷), so they return the
/// same bits on every platform and .NET version, unlike <see cref="Math.Log(double)"/> which calls the
/// platform's C library. Used where reproducibility matters more than the last ulp (random normals,
/// the synthetic click model's probabilities).
/// </summary>
public static class DeterministicMath
{
    private const double Ln2 = 0.693147180559945309417232121458;

    // ln 2 split so that n·Ln2High is exact for |n| < 2^11 (Cody–Waite range reduction).
    private const double Ln2High = 0.693145751953125, Ln2Low = 1.42860682030941723212e-6;

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

    /// <summary>
    /// e^<paramref name="x"/>, accurate to a few ulps; underflows to 0 below about −745 and overflows to
    /// +∞ above about 709.78.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is NaN.</exception>
    public static double Exp(double x)
    {
        if (double.IsNaN(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "Exp needs a number, got NaN.");
        if (x > 709.8) return double.PositiveInfinity;
        if (x < -745.2) return 0;
        // x = n·ln2 + r with |r| ≤ ln2/2; then e^x = 2^n · e^r, e^r by its Taylor series (r^18/18! < 1e-24).
        double n = Math.Round(x / Ln2);
        double r = (x - n * Ln2High) - n * Ln2Low;
        double term = 1, sum = 1;
        for (int k = 1; k <= 18; k++)
        {
            term *= r / k;
            sum += term;
        }
        // ScaleB is managed code (exact scaling, one rounding for subnormal results), so platform-independent.
        return Math.ScaleB(sum, (int)n);
    }
}
