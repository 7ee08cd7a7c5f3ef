namespace RocketNet.Layers;

/// <summary>
/// Parameter initialisation as in the Rocket Launching reference code (<c>utils.py</c>): conv and linear
/// weights Kaiming-normal with fan-in and gain √2, biases zero, batch-norm γ ~ U[0, 1) and β = 0. Every draw
/// comes from the caller's seeded <see cref="RandomGenerator"/>, so a seed reproduces a model exactly.
/// </summary>
public static class Init
{
    /// <summary>Standard deviation of Kaiming-normal initialisation for ReLU nets: √(2 / fan_in).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is not positive.</exception>
    public static float KaimingStd(int fanIn)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        return MathF.Sqrt(2f / fanIn);
    }

    /// <summary>
    /// A tensor of the given shape with N(0, 2 / fan_in) entries, fan_in being the product of every
    /// dimension after the first (in for a linear weight [out, in], C·KH·KW for a conv weight [O, C, KH, KW]).
    /// </summary>
    /// <exception cref="ArgumentException">The shape has fewer than two dimensions or a non-positive size.</exception>
    public static Tensor KaimingNormal(int[] shape, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(random);
        if (shape.Length < 2 || shape.Any(d => d <= 0))
            throw new ArgumentException(
                "Kaiming initialisation needs a weight shape [out, in, ...] of positive sizes, got " +
                $"[{string.Join(", ", shape)}].", nameof(shape));
        int fanIn = 1;
        for (int i = 1; i < shape.Length; i++) fanIn *= shape[i];
        return Tensor.RandomNormal(shape, random, 0f, KaimingStd(fanIn));
    }

    /// <summary>
    /// A vector of <paramref name="size"/> values drawn from U[0, 1) (batch-norm γ in the reference code).
    /// Uses 24-bit floats so every value is strictly below 1.
    /// </summary>
    public static Tensor UniformUnit(int size, RandomGenerator random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentNullException.ThrowIfNull(random);
        var t = Tensor.Zeros(size);
        Span<float> data = t.Data;
        for (int i = 0; i < data.Length; i++) data[i] = random.NextFloat();
        return t;
    }

    /// <summary>A tensor of N(0, <paramref name="std"/>²) values (embedding tables).</summary>
    public static Tensor Normal(int[] shape, RandomGenerator random, float std = 1f)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(std > 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "Standard deviation must be positive.");
        return Tensor.RandomNormal(shape, random, 0f, std);
    }
}
