namespace RocketNet.Training.Metrics;

/// <summary>
/// Student's t distribution, enough for confidence intervals over a handful of seeds: the CDF through the
/// regularised incomplete beta function, the quantile by bisection on it.
/// </summary>
public static class StudentT
{
    /// <summary>P(T ≤ <paramref name="t"/>) for <paramref name="degreesOfFreedom"/> &gt; 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Degrees of freedom not positive, or t is NaN.</exception>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        if (!(degreesOfFreedom > 0)) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom,
            "Degrees of freedom must be positive.");
        if (double.IsNaN(t)) throw new ArgumentOutOfRangeException(nameof(t), t, "t must not be NaN.");
        if (double.IsInfinity(t)) return t > 0 ? 1 : 0;
        // P(|T| > |t|) = I_x(ν/2, 1/2) with x = ν / (ν + t²).
        double tail = RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5,
            degreesOfFreedom / (degreesOfFreedom + t * t)) / 2;
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>
    /// The t with P(T ≤ t) = <paramref name="probability"/> (e.g. 0.975 for a two-sided 95 % interval).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The probability is not in (0, 1), or the degrees of freedom are
    /// not positive.</exception>
    public static double Quantile(double probability, double degreesOfFreedom)
    {
        if (!(probability > 0 && probability < 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Probability must be in (0, 1).");
        if (!(degreesOfFreedom > 0)) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom,
            "Degrees of freedom must be positive.");
        double low = -1, high = 1;
        while (Cdf(low, degreesOfFreedom) > probability) low *= 2;
        while (Cdf(high, degreesOfFreedom) < probability) high *= 2;
        for (int i = 0; i < 200 && high - low > 1e-12 * Math.Max(1, Math.Abs(high)); i++)
        {
            double mid = (low + high) / 2;
            if (Cdf(mid, degreesOfFreedom) < probability) low = mid; else high = mid;
        }
        return (low + high) / 2;
    }

    /// <summary>
    /// I_x(a, b), the regularised incomplete beta function, by its continued fraction (Lentz's method).
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        // The fraction converges fast for x
        // < (a + 1) / (a + b + 2); use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
        if (x > (a + 1) / (a + b + 2)) return 1 - Math.Exp(logFront) * ContinuedFraction(b, a, 1 - x) / b;
        return Math.Exp(logFront) * ContinuedFraction(a, b, x) / a;
    }

    private static double ContinuedFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
        double result = d;
        for (int m = 1; m <= 500; m++)
        {
            for (int step = 0; step < 2; step++)
            {
                // Even terms m(b−m)x / ((a+2m−1)(a+2m)), odd terms −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
                double numerator = step == 0
                    ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                    : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
                d = 1 + numerator * d;
                d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
                c = 1 + numerator / c;
                if (Math.Abs(c) < Tiny) c = Tiny;
                double delta = c * d;
                result *= delta;
                if (step == 1 && Math.Abs(delta - 1) < 1e-15) return result;
            }
        }
        return result;
    }

    // Lanczos approximation (g = 7, 9 terms), accurate to ~1e-15 for positive arguments.
    private static double LogGamma(double x)
    {
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double sum = c[0];
        for (int i = 1; i < 9; i++) sum += c[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
