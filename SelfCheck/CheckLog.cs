namespace RocketNet.SelfCheck;

/// <summary>
/// Records each check's outcome and prints one line per check: "ok" or "FAILED", its name and the worst relative
/// error it saw against its reference (or the first mismatch for bit-for-bit checks).
/// </summary>
internal sealed class CheckLog(TextWriter output)
{
    /// <summary>Checks that passed.</summary>
    public int Passed { get; private set; }

    /// <summary>Checks that failed.</summary>
    public int Failed { get; private set; }

    /// <summary>
    /// Passes when every |actual − expected| ≤ tolerance·max(1, max|expected|) (the kernel tests' criterion).
    /// </summary>
    public void Close(string name, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        if (expected.Length != actual.Length)
        {
            Record(name, false, $"length {actual.Length}, expected {expected.Length}");
            return;
        }
        float scale = 1f;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs(e));
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]) / scale;
            if (!(difference <= worst)) (worst, worstIndex) = (difference, i); // NaN counts as worst
        }
        bool ok = worstIndex < 0 || worst <= tolerance;
        string detail = worstIndex < 0 ? "max error 0"
            : $"max error {worst:0.0e+0} (tolerance {tolerance:0.0e+0}) at {worstIndex}: " +
              $"{actual[worstIndex]} vs {expected[worstIndex]}";
        Record(name, ok, detail);
    }

    /// <summary>Passes when the two spans hold the same bits.</summary>
    public void Identical(string name, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        int mismatch = expected.Length == actual.Length ? -1 : Math.Min(expected.Length, actual.Length);
        for (int i = 0; mismatch < 0 && i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i])) mismatch = i;
        Record(name, mismatch < 0, mismatch < 0 ? "bit for bit" : $"first difference at {mismatch}");
    }

    /// <summary>Records an outcome decided by the caller.</summary>
    public void Record(string name, bool ok, string detail)
    {
        if (ok) Passed++; else Failed++;
        output.WriteLine($"{(ok ? "ok    " : "FAILED")} {name}: {detail}");
    }
}
