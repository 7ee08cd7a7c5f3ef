using FsCheck;
using FsCheck.Fluent;

namespace RocketNet.Tests;

/// <summary>FsCheck generators for shapes and seeds, and seeded tensor factories for property bodies.</summary>
public static class TestData
{
    /// <summary>Property iterations for gradient properties: enough variety, fast on 2 cores.</summary>
    public const int GradientTests = 25;

    public static Gen<int> Seed => Gen.Choose(0, int.MaxValue);

    /// <summary>A shape of rank in [minRank, maxRank] with every dimension in [1, maxDim].</summary>
    public static Gen<int[]> Shape(int minRank, int maxRank, int maxDim = 5) =>
        Gen.Choose(minRank, maxRank).SelectMany(rank => Gen.Choose(1, maxDim).ArrayOf(rank));

    /// <summary>
    /// Two shapes that broadcast together: both derived from a common full shape by dropping leading
    /// dimensions and setting some dimensions to 1 (so scalar shapes, [2,3]+[3], [4,1,3]·[2,1] all occur).
    /// </summary>
    public static Gen<(int[] A, int[] B)> BroadcastPair(int maxRank = 4, int maxDim = 4) =>
        from full in Shape(0, maxRank, maxDim)
        from a in Derived(full)
        from b in Derived(full)
        select (a, b);

    private static Gen<int[]> Derived(int[] full) =>
        from drop in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(0, full.Length)))
        from ones in Gen.Choose(0, 2).ArrayOf(full.Length)
        select full.Skip(drop).Select((d, i) => ones[i + drop] == 0 ? 1 : d).ToArray();

    public static Property ForAll<T>(Gen<T> gen, Action<T> check) => Prop.ForAll(gen.ToArbitrary(), check);

    /// <summary>A tensor of any shape including the scalar shape <c>[]</c> (which FromArray reads as "1-D").</summary>
    public static Tensor FromArray(float[] values, int[] shape) =>
        shape.Length == 0 ? Tensor.Scalar(values[0]) : Tensor.FromArray(values, shape);

    /// <summary>Uniform values in [low, high).</summary>
    public static Tensor Uniform(int[] shape, RandomGenerator rng, float low = -2, float high = 2) =>
        Tensor.RandomUniform(shape, rng, low, high);

    /// <summary>Values with |x| in [low, high] and a random sign (away from 0, for relu/division).</summary>
    public static Tensor AwayFromZero(int[] shape, RandomGenerator rng, float low = 0.5f, float high = 2f)
    {
        var t = Tensor.RandomUniform(shape, rng, low, high);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) if (rng.NextInt(2) == 0) d[i] = -d[i];
        return t;
    }

    /// <summary>
    /// Distinct values in random order, spaced so that no two are ever closer than twice the gradient
    /// checker's step (h = 1e-2·max(1, |x|)): ±0.03, ±0.06, … up to ±0.99, then growing by 3 % each. So
    /// max/max-pool stay differentiable under every perturbation the checker makes, for any count.
    /// </summary>
    public static Tensor Distinct(int[] shape, RandomGenerator rng)
    {
        var t = Tensor.Zeros(shape);
        int count = t.Count;
        var values = new float[count];
        double magnitude = 0;
        for (int i = 0; i < count; i += 2)
        {
            magnitude = magnitude < 0.98 ? magnitude + 0.03 : magnitude * 1.03;
            values[i] = (float)magnitude;
            if (i + 1 < count) values[i + 1] = (float)-magnitude;
        }
        rng.Shuffle(values.AsSpan());
        values.CopyTo(t.Data);
        return t;
    }

    public static int[] Labels(int n, int classes, RandomGenerator rng)
    {
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rng.NextInt(classes);
        return labels;
    }
}
