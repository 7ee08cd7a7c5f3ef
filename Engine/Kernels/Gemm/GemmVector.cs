using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// GEMM with a single row of A (m = 1: one sample through a linear layer, the real-time inference case).
/// Packing would copy the whole weight matrix to use each value once, so these loops stream the weights
/// directly: with B stored [n, k] (the Bᵀ case, PyTorch's Linear layout) every output is one contiguous
/// dot product; with B stored [k, n] the row is a sum of B's rows scaled by a's values.
/// </summary>
internal static class GemmVector
{
    /// <summary>
    /// Multiply-adds (n·k) from which a row splits its outputs over the threads: 32K, a few microseconds on one core.
    /// </summary>
    private const long ParallelMinWork = 1 << 15;

    [ThreadStatic] private static RowsJob? _job;

    /// <summary>c[0..n] (+)= a[0..k]·op(B) where a is one row (m = 1) and op(B) is [k, n].</summary>
    public static void RowTimesMatrix(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int n, int k,
        bool transB, bool accumulate)
    {
        // a: [1, k] or, transposed, [k, 1]: either way its k values are contiguous.
        var row = a[..k];
        var output = c[..n];
        if (transB)
        {
            // b: [n, k]; c[j] = ⟨a, b[j, :]⟩. Large weights (the 576x200 CTR layer, 460 KB) are bound by how fast
            // one core streams them from L2, so two threads each take half the rows; each row's sum is the
            // same code either way, so the result does not depend on the split.
            int parts = (long)n * k >= ParallelMinWork ? Math.Min(Parallelism.ThreadCount, n / 8) : 1;
            if (parts > 1)
            {
                unsafe
                {
                    fixed (float* pa = row, pb = b, pc = output)
                    {
                        var job = _job ??= new RowsJob();
                        job.Set(pa, pb, pc, n, k, accumulate, parts);
                        Parallelism.ForIfWorkersAwake(parts, job);
                        job.Clear();
                    }
                }
                return;
            }
            DotRows(row, b, output, 0, n, k, accumulate);
            return;
        }
        // b: [k, n]; c = Σ_p a[p]·b[p, :].
        if (!accumulate) output.Clear();
        for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), row[p], output, output);
    }

    /// <summary>c[j] (+)= ⟨a, b[j, :]⟩ for j in [j0, j1): eight rows per pass (DotEight), then one at a time.</summary>
    private static void DotRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int j0, int j1,
        int k, bool accumulate)
    {
        int j = j0;
        if (VectorWidth.Use512 && Avx512F.IsSupported && k >= 16)
        {
            unsafe
            {
                fixed (float* pa = a, pb = b, pc = c)
                {
                    for (; j + 8 <= j1; j += 8) DotEight(pa, pb + (nint)j * k, k, pc + j, accumulate);
                }
            }
        }
        for (; j < j1; j++)
        {
            float dot = TensorPrimitives.Dot(a, b.Slice(j * k, k));
            c[j] = accumulate ? c[j] + dot : dot;
        }
    }

    /// <summary>
    /// One part of a split row-times-matrix: part p takes whole groups of eight rows, the last part also the
    /// n mod 8 tail, so every row goes through the same kernel (DotEight or the tail loop) as unsplit.
    /// </summary>
    private sealed unsafe class RowsJob : ParallelJob
    {
        private float* _a, _b, _c;
        private int _n, _k, _parts;
        private bool _accumulate;

        public void Set(float* a, float* b, float* c, int n, int k, bool accumulate, int parts)
        {
            _a = a; _b = b; _c = c;
            (_n, _k, _accumulate, _parts) = (n, k, accumulate, parts);
        }

        public void Clear() => _a = _b = _c = null;

        public override void Run(int index)
        {
            int groups = _n / 8;
            int j0 = groups * index / _parts * 8;
            int j1 = index == _parts - 1 ? _n : groups * (index + 1) / _parts * 8;
            DotRows(new ReadOnlySpan<float>(_a, _k), new ReadOnlySpan<float>(_b, _n * _k), new Span<float>(_c, _n), j0,
                j1, _k, _accumulate);
        }
    }

    /// <summary>
    /// c[i] (+)= ⟨a, rows[i·k .. (i+1)·k]⟩ for i = 0..7: eight independent FMA chains (the FMA latency times
    /// its two ports) and one load of a per eight products. Raw pointers: the span checks cost more than the math.
    /// The rows stream from L2 (the CTR tower's 460 KB first layer), which bounds a served request: each step asks
    /// for the line four ahead in every row (the hardware prefetcher alone leaves eight streams short of L2's
    /// bandwidth), the eight lane sums share one shuffle tree (<see cref="LaneSums.Of8"/>), and the rows are 64-byte
    /// aligned (tensor storage is) so no load splits a line. Each step's gain is in docs/performance.md.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotEight(float* a, float* rows, int k, float* c, bool accumulate)
    {
        float* r0 = rows, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k, r4 = r3 + k, r5 = r4 + k, r6 = r5 + k, r7 = r6 + k;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default,
            s6 = default, s7 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            if (Sse.IsSupported)
            {
                // 64 floats (256 bytes) ahead: measured best of 32-256.
                Sse.Prefetch0(r0 + p + 64); Sse.Prefetch0(r1 + p + 64); Sse.Prefetch0(r2 + p + 64);
                Sse.Prefetch0(r3 + p + 64);
                Sse.Prefetch0(r4 + p + 64); Sse.Prefetch0(r5 + p + 64); Sse.Prefetch0(r6 + p + 64);
                Sse.Prefetch0(r7 + p + 64);
            }
            var av = Vector512.Load(a + p);
            s0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r0 + p), s0);
            s1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r3 + p), s3);
            s4 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r4 + p), s4);
            s5 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r5 + p), s5);
            s6 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r6 + p), s6);
            s7 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r7 + p), s7);
        }
        if (p < k && Avx512F.IsSupported)
        {
            // The k mod 16 tail (k = 200: 8 values) as one masked step rather than 8 x 8 scalar products.
            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(k - p)).AsSingle();
            var zero = Vector512<float>.Zero;
            var av = Avx512F.MaskLoad(a + p, mask, zero);
            s0 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r0 + p, mask, zero), s0);
            s1 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r1 + p, mask, zero), s1);
            s2 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r2 + p, mask, zero), s2);
            s3 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r3 + p, mask, zero), s3);
            s4 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r4 + p, mask, zero), s4);
            s5 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r5 + p, mask, zero), s5);
            s6 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r6 + p, mask, zero), s6);
            s7 = Vector512.FusedMultiplyAdd(av, Avx512F.MaskLoad(r7 + p, mask, zero), s7);
            p = k;
        }
        Span<float> d = stackalloc float[8];
        LaneSums.Of8(s0, s1, s2, s3, s4, s5, s6, s7).CopyTo(d); // callers need Vector512, hence AVX-512F
        for (; p < k; p++)
        {
            float ap = a[p];
            d[0] += ap * r0[p]; d[1] += ap * r1[p]; d[2] += ap * r2[p]; d[3] += ap * r3[p];
            d[4] += ap * r4[p]; d[5] += ap * r5[p]; d[6] += ap * r6[p]; d[7] += ap * r7[p];
        }
        for (int i = 0; i < 8; i++) c[i] = accumulate ? c[i] + d[i] : d[i];
    }
}
