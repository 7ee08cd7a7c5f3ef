using RocketNet.Shapes;

namespace RocketNet;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros, e.g. <c>Tensor.Zeros(2, 3)</c>.</summary>
    public static Tensor Zeros(params int[] shape) => Create((int[])shape.Clone(), clear: true);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Create((int[])shape.Clone(), clear: false);
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A one-element tensor of shape <c>[]</c>.</summary>
    public static Tensor Scalar(float value) => Full(value);

    /// <summary>
    /// A tensor holding a copy of <paramref name="values"/> (row-major) with the given shape; with no shape
    /// it is 1-D, like <c>torch.tensor([...])</c>. Use <see cref="Scalar"/> for a shape-<c>[]</c> tensor.
    /// </summary>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        int[] resolved = shape.Length == 0 ? [values.Length] : (int[])shape.Clone();
        int count = ShapeMath.ElementCount(resolved);
        if (values.Length != count)
            throw new ArgumentException(
                $"FromArray: {values.Length} values given for shape {ShapeMath.Format(resolved)} ({count} elements).",
                nameof(values));
        var t = Create(resolved, clear: false);
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>
    /// Samples from N(<paramref name="mean"/>, <paramref name="std"/>²) drawn from <paramref name="random"/>.
    /// </summary>
    public static Tensor RandomNormal(int[] shape, RandomGenerator random, float mean = 0, float std = 1)
    {
        var t = Create((int[])shape.Clone(), clear: false);
        random.FillNormal(t.Data, mean, std);
        return t;
    }

    /// <summary>
    /// Samples from U[<paramref name="low"/>, <paramref name="high"/>) drawn from <paramref name="random"/>.
    /// </summary>
    public static Tensor RandomUniform(int[] shape, RandomGenerator random, float low = 0, float high = 1)
    {
        var t = Create((int[])shape.Clone(), clear: false);
        random.FillUniform(t.Data, low, high);
        return t;
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent set-up of parameters.</summary>
    public Tensor WithGrad()
    {
        RequiresGrad = true;
        return this;
    }
}
