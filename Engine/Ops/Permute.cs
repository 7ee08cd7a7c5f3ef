using RocketNet.Autograd;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Reorders the axes: y.shape[i] = x.shape[perm[i]] (transpose is the two-axis case). The result is
/// materialised contiguously. Backward applies the inverse permutation to dy and accumulates into dx.
/// </summary>
internal sealed class PermuteFunction : Function
{
    private readonly Tensor _x;
    private readonly int[] _perm;

    private PermuteFunction(Tensor x, int[] perm) : base(x) => (_x, _perm) = (x, perm);

    public override string Name => "Permute";

    public static Tensor Forward(Tensor x, ReadOnlySpan<int> permutation)
    {
        int rank = x.Rank;
        if (permutation.Length != rank)
            throw new ArgumentException(
                $"Permute: {permutation.Length} axes given for a tensor of shape {ShapeMath.Format(x.Shape)}.");
        var perm = new int[rank];
        Span<bool> seen = stackalloc bool[rank];
        for (int i = 0; i < rank; i++)
        {
            int a = ShapeMath.NormalizeAxis(permutation[i], rank, "Permute");
            if (seen[a])
                throw new ArgumentException(
                    $"Permute: axis {permutation[i]} appears twice in {ShapeMath.Format(permutation)}.");
            seen[a] = true;
            perm[i] = a;
        }
        var outShape = new int[rank];
        for (int i = 0; i < rank; i++) outShape[i] = x.Shape[perm[i]];
        var y = Tensor.Create(outShape, clear: false);
        Gather(x.Data, x.Shape, perm, y.Data, accumulate: false);
        if (ShouldRecord(x)) y.SetGradFn(new PermuteFunction(x, perm));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (dx.IsEmpty) return;
        var inverse = new int[_perm.Length];
        for (int i = 0; i < _perm.Length; i++) inverse[_perm[i]] = i;
        Gather(dy, y.Shape, inverse, dx, accumulate: true);
    }

    /// <summary>dst[i0..] (+)= src at the permuted index; dst is contiguous in the permuted shape.</summary>
    internal static void Gather(ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, ReadOnlySpan<int> perm,
        Span<float> dst, bool accumulate)
    {
        int rank = srcShape.Length;
        int[] srcStrides = ShapeMath.ContiguousStrides(srcShape);
        Span<int> dims = stackalloc int[rank], strides = stackalloc int[rank], index = stackalloc int[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = srcShape[perm[i]];
            strides[i] = srcStrides[perm[i]];
        }
        index.Clear();
        int srcOffset = 0;
        for (int o = 0; o < dst.Length; o++)
        {
            dst[o] = accumulate ? dst[o] + src[srcOffset] : src[srcOffset];
            for (int d = rank - 1; d >= 0; d--)
            {
                srcOffset += strides[d];
                if (++index[d] < dims[d]) break;
                srcOffset -= strides[d] * dims[d];
                index[d] = 0;
            }
        }
    }
}
