using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Matrix product. Supported: [M, K]·[K, N] → [M, N]; batched [B, M, K]·[B, K, N] → [B, M, N]; and
/// [B, M, K]·[K, N] → [B, M, N] (one matrix shared by the batch, computed as one [B·M, K]·[K, N] GEMM).
/// Backward: dA += dY·Bᵀ and dB += Aᵀ·dY, using the GEMM's transposed variants (no transpose is built).
/// </summary>
internal sealed class MatMulFunction : Function
{
    private readonly Tensor _a, _b;
    private readonly int _batch, _m, _k, _n;
    private readonly bool _sharedB; // B is 2-D and applies to every batch item

    private MatMulFunction(Tensor a, Tensor b, int batch, int m, int k, int n, bool sharedB) : base(a, b)
    {
        (_a, _b, _batch, _m, _k, _n, _sharedB) = (a, b, batch, m, k, n, sharedB);
    }

    public override string Name => "MatMul";

    public static Tensor Forward(Tensor a, Tensor b)
    {
        string shapes = $"{ShapeMath.Format(a.Shape)} and {ShapeMath.Format(b.Shape)}";
        int batch, m, k, n;
        bool sharedB;
        int[] outShape;
        if (a.Rank == 2 && b.Rank == 2)
        {
            (batch, m, k, n, sharedB) = (1, a.Shape[0], a.Shape[1], b.Shape[1], true);
            if (b.Shape[0] != k)
                throw new ArgumentException(
                    $"MatMul: inner dimensions differ for shapes {shapes} ({k} vs {b.Shape[0]}).");
            outShape = [m, n];
        }
        else if (a.Rank == 3 && (b.Rank == 3 || b.Rank == 2))
        {
            (batch, m, k) = (a.Shape[0], a.Shape[1], a.Shape[2]);
            sharedB = b.Rank == 2;
            int bk = sharedB ? b.Shape[0] : b.Shape[1];
            n = sharedB ? b.Shape[1] : b.Shape[2];
            if (bk != k)
                throw new ArgumentException($"MatMul: inner dimensions differ for shapes {shapes} ({k} vs {bk}).");
            if (!sharedB && b.Shape[0] != batch)
                throw new ArgumentException($"MatMul: batch sizes differ for shapes {shapes}.");
            outShape = [batch, m, n];
        }
        else
        {
            throw new ArgumentException($"MatMul supports 2-D·2-D, 3-D·3-D and 3-D·2-D operands, got shapes {shapes}.");
        }

        var y = Tensor.Create(outShape, clear: false);
        if (sharedB)
        {
            Gemm.Multiply(a.Data, b.Data, y.Data, batch * m, n, k);
        }
        else
        {
            for (int i = 0; i < batch; i++)
                Gemm.Multiply(a.Data.Slice(i * m * k, m * k), b.Data.Slice(i * k * n, k * n),
                    y.Data.Slice(i * m * n, m * n), m, n, k);
        }
        if (ShouldRecord(a, b)) y.SetGradFn(new MatMulFunction(a, b, batch, m, k, n, sharedB));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> da = GradSink(_a), db = GradSink(_b);
        if (_sharedB)
        {
            int rows = _batch * _m; // A viewed as [B·M, K], dY as [B·M, N]
            if (!da.IsEmpty) Gemm.Multiply(dy, _b.Data, da, rows, _k, _n, transB: true, accumulate: true);
            if (!db.IsEmpty) Gemm.Multiply(_a.Data, dy, db, _k, _n, rows, transA: true, accumulate: true);
            return;
        }
        for (int i = 0; i < _batch; i++)
        {
            var dyi = dy.Slice(i * _m * _n, _m * _n);
            if (!da.IsEmpty) Gemm.Multiply(dyi, _b.Data.Slice(i * _k * _n, _k * _n), da.Slice(i * _m * _k, _m * _k), _m,
                _k, _n, transB: true, accumulate: true);
            if (!db.IsEmpty) Gemm.Multiply(_a.Data.Slice(i * _m * _k, _m * _k), dyi, db.Slice(i * _k * _n, _k * _n), _k,
                _n, _m, transA: true, accumulate: true);
        }
    }
}
