using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace RocketNet.Kernels;

/// <summary>
/// Max, average and global-average pooling over NCHW tensors, parallel over fixed groups of (n, c) planes.
/// Planes are independent, so results do not depend on <see cref="Parallelism.ThreadCount"/>. Same API
/// and semantics as <see cref="PoolingReference"/>.
/// </summary>
public static unsafe class PoolingKernels
{
    /// <summary>Roughly this many input cells per parallel tile; enough work to be worth a dispatch.</summary>
    private const int CellsPerTile = 16384;

    [ThreadStatic] private static PoolJob? _job;

    /// <summary>
    /// Max pool: y gets each window's maximum real cell and indices its flat index h·W + w within the
    /// input plane (first maximum wins; NaN propagates). x: [N, C, H, W], y and indices: [N, C, OH, OW].
    /// <para>
    /// With <paramref name="relu"/>, y = max(pool(x), 0) — the pool of max(x, 0), since ReLU and max commute,
    /// with the same bits as ElementwiseKernels.Relu then this pool — clamped on the pooled plane while it is in
    /// cache, so the full-size ReLU pass and its output are never made. Indices are then x's own winners.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void MaxPoolForward(PoolGeometry g, ReadOnlySpan<float> x, Span<float> y,
        Span<int> indices, bool relu = false)
    {
        g.Check("PoolingKernels.MaxPoolForward", x.Length, y.Length, "x", "y");
        KernelArguments.RequireLength(indices.Length, g.OutputLength, "PoolingKernels.MaxPoolForward", "indices");
        fixed (float* xp = x, yp = y)
        fixed (int* ip = indices)
            Run(relu ? PoolOp.ReluMaxForward : PoolOp.MaxForward, g, xp, yp, ip);
    }

    /// <summary>
    /// gradX[n, c, indices[o]] += gradY[o]. gradY and indices: [N, C, OH, OW] (from
    /// <see cref="MaxPoolForward"/>), gradX: [N, C, H, W] (accumulated into; with <paramref name="accumulate"/>
    /// false each plane is cleared just before its scatter, while it is in cache, instead of by a separate pass).
    /// <para>
    /// With <paramref name="reluOutput"/> (the y [N, C, OH, OW] of the ReLU variant of <see cref="MaxPoolForward"/>),
    /// the backward of pool(relu(x)): only outputs with y &gt; 0 pass gradY on (elsewhere ReLU's mask stops it at
    /// the winner), and they add 0 + gradY, as ReLU's backward adds max pool's freshly scattered gradient. Into a
    /// cleared gradX (accumulate false) that is bit for bit the two separate backward passes.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry, a span too short or an index outside its plane.</exception>
    public static void MaxPoolBackward(PoolGeometry g, ReadOnlySpan<float> gradY, ReadOnlySpan<int> indices,
        Span<float> gradX, bool accumulate = true, ReadOnlySpan<float> reluOutput = default)
    {
        g.Check("PoolingKernels.MaxPoolBackward", gradX.Length, gradY.Length, "gradX", "gradY");
        KernelArguments.RequireLength(indices.Length, g.OutputLength, "PoolingKernels.MaxPoolBackward", "indices");
        bool relu = !reluOutput.IsEmpty;
        if (relu) KernelArguments.RequireLength(reluOutput.Length, g.OutputLength,
            "PoolingKernels.MaxPoolBackward", "reluOutput");
        int plane = g.H * g.W;
        // Check up front so a bad index cannot scribble outside its plane from a worker thread (vectorised: a
        // scalar loop over every index cost as much as the 2×2 backward itself).
        var used = indices[..(int)g.OutputLength];
        if (used.Length > 0 && (TensorPrimitives.Min(used) < 0 || TensorPrimitives.Max(used) >= plane))
            foreach (int index in used)
                if ((uint)index >= (uint)plane)
                    throw new ArgumentException($"MaxPoolBackward: index {index} is outside the {plane}-cell plane.",
                        nameof(indices));
        var op = (relu, accumulate) switch
        {
            (false, true) => PoolOp.MaxBackward,
            (false, false) => PoolOp.MaxBackwardOverwrite,
            (true, true) => PoolOp.ReluMaxBackward,
            _ => PoolOp.ReluMaxBackwardOverwrite,
        };
        fixed (float* gyp = gradY, gxp = gradX, yp = reluOutput)
        fixed (int* ip = indices)
            Run(op, g, gxp, gyp, ip, yp);
    }

    /// <summary>
    /// Average pool with count_include_pad: y = (Σ of the window's real cells) / (KernelH·KernelW).
    /// x: [N, C, H, W], y: [N, C, OH, OW].
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void AvgPoolForward(PoolGeometry g, ReadOnlySpan<float> x, Span<float> y)
    {
        g.Check("PoolingKernels.AvgPoolForward", x.Length, y.Length, "x", "y");
        fixed (float* xp = x, yp = y) Run(PoolOp.AvgForward, g, xp, yp, null);
    }

    /// <summary>
    /// gradX += ∂L/∂x for <see cref="AvgPoolForward"/>. gradY: [N, C, OH, OW], gradX: [N, C, H, W].
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void AvgPoolBackward(PoolGeometry g, ReadOnlySpan<float> gradY, Span<float> gradX)
    {
        g.Check("PoolingKernels.AvgPoolBackward", gradX.Length, gradY.Length, "gradX", "gradY");
        fixed (float* gyp = gradY, gxp = gradX) Run(PoolOp.AvgBackward, g, gxp, gyp, null);
    }

    /// <summary>y[n, c] = mean of x[n, c, :, :]. x: [N, C, H, W], y: [N, C].</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span too short.</exception>
    public static void GlobalAvgPoolForward(ReadOnlySpan<float> x, Span<float> y, int n, int c, int h, int w)
    {
        CheckGlobal("PoolingKernels.GlobalAvgPoolForward", x.Length, y.Length, n, c, h, w, "x", "y");
        fixed (float* xp = x, yp = y) Run(PoolOp.GlobalForward, GlobalAsPool(n, c, h, w), xp, yp, null);
    }

    /// <summary>gradX[n, c, :, :] += gradY[n, c] / (H·W). gradY: [N, C], gradX: [N, C, H, W].</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span too short.</exception>
    public static void GlobalAvgPoolBackward(ReadOnlySpan<float> gradY, Span<float> gradX, int n, int c, int h, int w)
    {
        CheckGlobal("PoolingKernels.GlobalAvgPoolBackward", gradX.Length, gradY.Length, n, c, h, w, "gradX", "gradY");
        fixed (float* gyp = gradY, gxp = gradX) Run(PoolOp.GlobalBackward, GlobalAsPool(n, c, h, w), gxp, gyp, null);
    }

    internal static void CheckGlobal(string kernel, int inputLength, int outputLength, int n, int c, int h, int w,
        string inputName, string outputName)
    {
        if (n < 1 || c < 1 || h < 1 || w < 1)
            throw new ArgumentException($"{kernel}: sizes must be positive, got [N={n}, C={c}, H={h}, W={w}].");
        long planes = (long)n * c;
        if (planes * h * w > int.MaxValue)
            throw new ArgumentException($"{kernel}: [N={n}, C={c}, H={h}, W={w}] exceeds {int.MaxValue} elements.");
        KernelArguments.RequireLength(inputLength, planes * h * w, kernel, inputName);
        KernelArguments.RequireLength(outputLength, planes, kernel, outputName);
    }

    // A global pool is a pool whose window is the whole plane; only N, C, H, W are read.
    private static PoolGeometry GlobalAsPool(int n, int c, int h, int w) => new(n, c, h, w, h, w, 1, 1, 0, 0);

    /// <summary>Splits the N·C planes into fixed groups and runs <paramref name="op"/> on each.</summary>
    /// <param name="op">Which pooling pass.</param>
    /// <param name="g">Geometry.</param>
    /// <param name="input">x (forward) or gradX (backward): [N, C, H, W].</param>
    /// <param name="output">y (forward) or gradY (backward): [N, C, OH, OW].</param>
    /// <param name="indices">Max-pool winners [N, C, OH, OW], else null.</param>
    /// <param name="pooled">The ReLU max pool's output [N, C, OH, OW] for its backward, else null.</param>
    private static void Run(PoolOp op, in PoolGeometry g, float* input, float* output, int* indices,
        float* pooled = null)
    {
        int planes = g.N * g.C;
        int planesPerTile = Math.Max(1, CellsPerTile / (g.H * g.W));
        int tiles = (planes + planesPerTile - 1) / planesPerTile;
        var job = _job ??= new PoolJob();
        job.Set(op, g, input, output, indices, planesPerTile, pooled);
        Parallelism.For(tiles, job);
        job.Clear();
    }

    /// <summary>
    /// <paramref name="value"/> when <paramref name="pass"/>, else −0, which every float is unchanged by adding: the
    /// ReLU pool's scatter adds one or the other instead of branching on a mask that half the windows fail at random.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float PassedOrNegativeZero(bool pass, float value)
    {
        int keep = -(pass ? 1 : 0);
        return BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(value) & keep) | (~keep & int.MinValue));
    }

    private enum PoolOp
    {
        MaxForward, MaxBackward, MaxBackwardOverwrite, ReluMaxForward, ReluMaxBackward, ReluMaxBackwardOverwrite,
        AvgForward, AvgBackward, GlobalForward, GlobalBackward,
    }

    /// <summary>Tile = a fixed run of consecutive (n, c) planes.</summary>
    private sealed class PoolJob : ParallelJob
    {
        private PoolOp _op;
        private PoolGeometry _g;
        private float* _input, _output, _pooled;
        private int* _indices;
        private int _planesPerTile;

        public void Set(PoolOp op, in PoolGeometry g, float* input, float* output, int* indices,
            int planesPerTile, float* pooled)
        {
            _op = op; _g = g; _input = input; _output = output; _indices = indices; _planesPerTile = planesPerTile;
            _pooled = pooled;
        }

        public void Clear() { _input = _output = _pooled = null; _indices = null; }

        public override void Run(int index)
        {
            var g = _g;
            int plane = g.H * g.W;
            int outPlane = _op is PoolOp.GlobalForward or PoolOp.GlobalBackward ? 1 : g.OutHeight * g.OutWidth;
            int first = index * _planesPerTile, end = Math.Min(g.N * g.C, first + _planesPerTile);
            for (int p = first; p < end; p++)
            {
                float* input = _input + (long)p * plane;
                float* output = _output + (long)p * outPlane;
                int* indices = _indices == null ? null : _indices + (long)p * outPlane;
                float* pooled = _pooled == null ? null : _pooled + (long)p * outPlane;
                switch (_op)
                {
                    case PoolOp.MaxForward:
                    case PoolOp.ReluMaxForward:
                        if (MaxPool2x2.Applies(g)) MaxPool2x2.Forward(g, input, output, indices);
                        else if (MaxPool2x2Vector128.Applies(g)) MaxPool2x2Vector128.Forward(g, input, output, indices);
                        else PoolingPlanes.MaxForward(g, input, output, indices);
                        if (_op == PoolOp.ReluMaxForward)
                        {
                            // The op ElementwiseKernels.Relu applies: IEEE max, so −0 becomes +0 and NaN stays NaN.
                            var outputs = new Span<float>(output, outPlane);
                            TensorPrimitives.Max(outputs, 0f, outputs);
                        }
                        break;
                    case PoolOp.MaxBackward:
                    case PoolOp.MaxBackwardOverwrite:
                    case PoolOp.ReluMaxBackward:
                    case PoolOp.ReluMaxBackwardOverwrite:
                        bool overwrite = _op is PoolOp.MaxBackwardOverwrite or PoolOp.ReluMaxBackwardOverwrite;
                        if (MaxPool2x2.Applies(g) && MaxPool2x2.Backward(g, input, output, indices, pooled, overwrite))
                            break;
                        if (overwrite) new Span<float>(input, plane).Clear();
                        if (pooled == null)
                            for (int o = 0; o < outPlane; o++) input[indices[o]] += output[o];
                        else
                            for (int o = 0; o < outPlane; o++)
                                input[indices[o]] += PassedOrNegativeZero(pooled[o] > 0, 0f + output[o]);
                        break;
                    case PoolOp.AvgForward: PoolingPlanes.AvgForward(g, input, output); break;
                    case PoolOp.AvgBackward: PoolingPlanes.AvgBackward(g, output, input); break;
                    case PoolOp.GlobalForward:
                        *output = TensorPrimitives.Sum(new ReadOnlySpan<float>(input, plane)) / plane;
                        break;
                    case PoolOp.GlobalBackward:
                        var gradPlane = new Span<float>(input, plane);
                        TensorPrimitives.Add(gradPlane, *output / plane, gradPlane);
                        break;
                }
            }
        }
    }
}
