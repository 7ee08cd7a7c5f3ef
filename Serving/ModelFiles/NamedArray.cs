using RocketNet.Shapes;

namespace RocketNet.Serving;

/// <summary>A float32 array with a shape, as stored in a safetensors file.</summary>
public sealed class NamedArray
{
    /// <summary>Wraps <paramref name="values"/> (not copied) with <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The value count does not match the shape.</exception>
    public NamedArray(int[] shape, float[] values)
    {
        if (shape.Any(d => d < 0) || ShapeMath.ElementCount(shape) != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape {ShapeMath.Format(shape)}.",
                nameof(values));
        Shape = (int[])shape.Clone();
        _values = values;
    }

    private NamedArray(Tensor source)
    {
        Shape = source.Shape.ToArray();
        _source = source;
    }

    private float[]? _values;
    private readonly Tensor? _source; // a view's tensor, read when the file is written

    /// <summary>A 1-D array.</summary>
    public static NamedArray Vector(float[] values) => new([values.Length], values);

    /// <summary>A copy of a tensor's values and shape.</summary>
    public static NamedArray FromTensor(Tensor tensor) => new(tensor.Shape.ToArray(), tensor.ToArray());

    /// <summary>
    /// A tensor's values and shape without a copy, for a file written straight away (a checkpoint): the writer reads
    /// the tensor itself, so saving a 0.8 GB embedding table does not hold it twice. <see cref="Values"/> copies on
    /// first use.
    /// </summary>
    internal static NamedArray ViewOf(Tensor tensor) => new(tensor);

    /// <summary>Dimensions (empty for a scalar).</summary>
    public int[] Shape { get; }

    /// <summary>The values, row-major.</summary>
    public float[] Values => _values ??= _source!.ToArray();

    /// <summary>The values, row-major, as they are now (a view's tensor read in place).</summary>
    internal ReadOnlySpan<float> Span => _values is not null ? _values.AsSpan() : _source!.Data;

    /// <summary>Number of values.</summary>
    internal int Count => _values?.Length ?? _source!.Count;

    /// <summary>A new tensor (outside autograd) holding a copy of the values.</summary>
    public Tensor ToTensor() => Shape.Length == 0 ? Tensor.Scalar(Values[0]) : Tensor.FromArray(Values, Shape);
}
