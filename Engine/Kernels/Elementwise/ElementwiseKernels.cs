using System.Numerics;
using System.Numerics.Tensors;

namespace RocketNet.Kernels;

/// <summary>
/// Memory-bound elementwise loops over large activations (a WRN layer's activations are 8 MB), split into
/// fixed 64K-element chunks that run on <see cref="Parallelism.ThreadCount"/> threads. No element depends on
/// another, so the result is the same for any thread count. Small inputs run inline.
/// </summary>
public static unsafe class ElementwiseKernels
{
    private const int ChunkLength = 1 << 16;

    [ThreadStatic] private static ChunkJob? _job;

    /// <summary>y = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => Run(Operation.Relu, x, default, y);

    /// <summary>dx += dy where x &gt; 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) =>
        Run(Operation.ReluBackward, x, dy, dx);

    /// <summary>
    /// dx = 0 + dy where x &gt; 0, else 0: <see cref="ReluBackward"/> into a cleared dx, without clearing it.
    /// </summary>
    public static void ReluBackwardOverwrite(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) =>
        Run(Operation.ReluBackwardOverwrite, x, dy, dx);

    /// <summary>y = 0 (gradient buffers before accumulation).</summary>
    public static void Clear(Span<float> y) => Run(Operation.Clear, default, default, y);

    /// <summary>y = a (a gradient written by its first contributor instead of cleared and added to).</summary>
    public static void Copy(ReadOnlySpan<float> a, Span<float> y) => Run(Operation.Copy, a, default, y);

    /// <summary>y = a + b (y may be a or b).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => Run(Operation.Add, a, b, y);

    /// <summary>The reference: one plain loop per operation (what the chunks compute).</summary>
    public static void Reference(Operation operation, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = operation switch
            {
                Operation.Relu => Math.Max(a[i], 0f),
                Operation.ReluBackward => a[i] > 0 ? y[i] + b[i] : y[i],
                Operation.Clear => 0f,
                Operation.Copy => a[i],
                Operation.ReluBackwardOverwrite => a[i] > 0 ? 0f + b[i] : 0f,
                _ => a[i] + b[i],
            };
        }
    }

    /// <summary>The operations.</summary>
    public enum Operation
    {
        /// <summary>max(a, 0)</summary>
        Relu,
        /// <summary>y += b where a &gt; 0</summary>
        ReluBackward,
        /// <summary>a + b</summary>
        Add,
        /// <summary>0</summary>
        Clear,
        /// <summary>a</summary>
        Copy,
        /// <summary>y = 0 + b where a &gt; 0, else 0</summary>
        ReluBackwardOverwrite,
    }

    private static void Run(Operation operation, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        int length = y.Length;
        if ((operation != Operation.Clear && a.Length != length)
            || (operation is Operation.ReluBackward or Operation.ReluBackwardOverwrite or Operation.Add
            && b.Length != length))
            throw new ArgumentException(
                $"Elementwise {operation}: operands of {a.Length} and {b.Length} elements for a result of {length}.");
        int chunks = (length + ChunkLength - 1) / ChunkLength;
        if (chunks <= 1)
        {
            Chunk(operation, a, b, y);
            return;
        }
        // The caller blocks until every chunk is done, so the pins hold for the workers.
        fixed (float* pa = a, pb = b, py = y)
        {
            var job = _job ??= new ChunkJob();
            job.Set(operation, pa, pb, py, length);
            Parallelism.For(chunks, job);
        }
    }

    private static void Chunk(Operation operation, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (operation)
        {
            case Operation.Relu: TensorPrimitives.Max(a, 0f, y); break;
            case Operation.ReluBackward: ReluBackwardChunk(a, b, y, overwrite: false); break;
            case Operation.ReluBackwardOverwrite: ReluBackwardChunk(a, b, y, overwrite: true); break;
            case Operation.Clear: y.Clear(); break;
            case Operation.Copy: a.CopyTo(y); break;
            default: TensorPrimitives.Add(a, b, y); break;
        }
    }

    private sealed class ChunkJob : ParallelJob
    {
        private Operation _operation;
        private float* _a, _b, _y;
        private int _length;

        public void Set(Operation operation, float* a, float* b, float* y, int length)
        {
            _operation = operation;
            _a = a;
            _b = b;
            _y = y;
            _length = length;
        }

        public override void Run(int index)
        {
            int start = index * ChunkLength, count = Math.Min(ChunkLength, _length - start);
            var a = _a == null ? default : new ReadOnlySpan<float>(_a + start, count);
            var b = _b == null ? default : new ReadOnlySpan<float>(_b + start, count);
            Chunk(_operation, a, b, new Span<float>(_y + start, count));
        }
    }

    /// <summary>
    /// dx += dy where x &gt; 0 (or, overwriting, dx = 0 + that), as a mask select with <see cref="Vector{T}"/>.
    /// </summary>
    private static void ReluBackwardChunk(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool overwrite)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= x.Length - w; i += w)
            {
                var positive = Vector.GreaterThan(new Vector<float>(x.Slice(i)), Vector<float>.Zero);
                var g = Vector.ConditionalSelect(positive, new Vector<float>(dy.Slice(i)), Vector<float>.Zero);
                ((overwrite ? Vector<float>.Zero : new Vector<float>(dx.Slice(i))) + g).CopyTo(dx.Slice(i));
            }
        }
        for (; i < x.Length; i++)
        {
            if (overwrite) dx[i] = x[i] > 0 ? 0f + dy[i] : 0f;
            else if (x[i] > 0) dx[i] += dy[i];
        }
    }
}
