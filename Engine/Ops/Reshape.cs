using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// The same values under another shape with the same element count; one dimension may be −1 (inferred).
/// Storage is shared (a view), so the forward copies nothing; backward passes dy straight through.
/// </summary>
internal sealed class ReshapeFunction : Function
{
    private readonly Tensor _x;

    private ReshapeFunction(Tensor x) : base(x) => _x = x;

    public override string Name => "Reshape";

    public static Tensor Forward(Tensor x, ReadOnlySpan<int> shape)
    {
        int[] resolved = Resolve(x, shape);
        var y = x.ViewAs(resolved);
        if (ShouldRecord(x)) y.SetGradFn(new ReshapeFunction(x));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (!dx.IsEmpty) TensorPrimitives.Add(dx, dy, dx);
    }

    private static int[] Resolve(Tensor x, ReadOnlySpan<int> shape)
    {
        var resolved = shape.ToArray();
        int inferAt = -1;
        long known = 1;
        for (int i = 0; i < resolved.Length; i++)
        {
            if (resolved[i] == -1)
            {
                if (inferAt >= 0)
                    throw new ArgumentException(
                        $"Reshape: only one dimension may be -1, got {ShapeMath.Format(shape)}.");
                inferAt = i;
            }
            else if (resolved[i] < 0)
            {
                throw new ArgumentException($"Reshape: invalid dimension {resolved[i]} in {ShapeMath.Format(shape)}.");
            }
            else
            {
                known *= resolved[i];
            }
        }
        if (inferAt >= 0)
        {
            if (known == 0 || x.Count % known != 0)
                throw new ArgumentException(
                    $"Reshape: cannot reshape {ShapeMath.Format(x.Shape)} ({x.Count} elements) to " +
                    $"{ShapeMath.Format(shape)}.");
            resolved[inferAt] = (int)(x.Count / known);
        }
        else if (known != x.Count)
        {
            throw new ArgumentException(
                $"Reshape: cannot reshape {ShapeMath.Format(x.Shape)} ({x.Count} elements) to " +
                $"{ShapeMath.Format(shape)} ({known} elements).");
        }
        return resolved;
    }
}
