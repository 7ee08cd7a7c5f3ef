namespace RocketNet.Benchmarks;

/// <summary>Seeded inputs shared by the kernel benchmarks.</summary>
internal static class BenchmarkData
{
    /// <summary><paramref name="length"/> values uniform in [−1, 1) from <paramref name="random"/>.</summary>
    public static float[] Uniform(Random random, long length)
    {
        var values = new float[length];
        for (long i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
