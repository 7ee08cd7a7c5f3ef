using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>Seeded random data and tolerant comparisons shared by the kernel tests.</summary>
internal static class KernelTestData
{
    public static float[] RandomArray(Random random, long length, float scale = 1f)
    {
        var values = new float[length];
        for (long i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    /// <summary>Asserts |actual − expected| ≤ tolerance·max(1, max|expected|) element-wise.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance,
        string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = 1f;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            float difference = Math.Abs(actual[i] - expected[i]);
            if (!(difference <= tolerance * scale))
                Assert.Fail(
                    $"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance * scale}).");
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with <see cref="Parallelism.ThreadCount"/> set, then restores it.
    /// </summary>
    public static void WithThreads(int threads, Action action)
    {
        int saved = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threads;
        try { action(); }
        finally { Parallelism.ThreadCount = saved; }
    }

    /// <summary>Σ a·b in double: the scalar loss L = ⟨a, b⟩ used by the finite-difference checks.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}
