using RocketNet.Kernels;

namespace RocketNet.Training.Optim;

/// <summary>
/// Runs the fused optimiser updates over a parameter in fixed 64K-element chunks on the engine's threads
/// (<see cref="Parallelism.For"/>). An update is memory-bound, so on one thread a 1M-weight layer's SGD step
/// waited on one core's bandwidth (a noticeable share of a two-thread MLP step). Every element's update is independent
/// and
/// the chunks do not depend on the thread count, so the result is the same for any setting. The spans are
/// pinned by the caller for the duration of the (blocking) dispatch; one cached job per optimiser.
/// </summary>
internal abstract unsafe class ChunkedUpdate : ParallelJob
{
    /// <summary>Elements per chunk: 256 KB per array, a few microseconds of work.</summary>
    public const int ChunkLength = 1 << 16;

    private int _length;

    /// <summary>Runs <see cref="Update"/> over [0, length) in chunks, inline when there is only one.</summary>
    protected void Dispatch(int length)
    {
        _length = length;
        int chunks = (length + ChunkLength - 1) / ChunkLength;
        if (chunks <= 1) Update(0, length);
        else Parallelism.For(chunks, this);
    }

    /// <inheritdoc/>
    public sealed override void Run(int index)
    {
        int start = index * ChunkLength;
        Update(start, Math.Min(ChunkLength, _length - start));
    }

    /// <summary>Updates elements [start, start + length).</summary>
    protected abstract void Update(int start, int length);

    protected static Span<float> Slice(float* values, int start, int length) => new(values + start, length);
}

/// <summary>Chunked <see cref="FusedUpdates.Sgd"/> and <see cref="FusedUpdates.SgdMomentum"/>.</summary>
internal sealed unsafe class ChunkedSgd : ChunkedUpdate
{
    private float* _p, _g, _v;
    private float _lr, _wd, _mu;
    private bool _nesterov, _firstStep;

    /// <summary>p, g, v (null for plain SGD) updated in place; see <see cref="FusedUpdates.SgdMomentum"/>.</summary>
    public void Run(Span<float> p, ReadOnlySpan<float> g, Span<float> v, float lr, float wd, float mu,
        bool nesterov, bool firstStep)
    {
        fixed (float* pp = p, pg = g, pv = v)
        {
            _p = pp; _g = pg; _v = pv;
            (_lr, _wd, _mu, _nesterov, _firstStep) = (lr, wd, mu, nesterov, firstStep);
            Dispatch(p.Length);
            _p = _g = _v = null;
        }
    }

    protected override void Update(int start, int length)
    {
        if (_v is null) FusedUpdates.Sgd(Slice(_p, start, length), Slice(_g, start, length), _lr, _wd);
        else FusedUpdates.SgdMomentum(Slice(_p, start, length), Slice(_g, start, length), Slice(_v, start, length),
            _lr, _wd, _mu, _nesterov, _firstStep);
    }
}

/// <summary>Chunked <see cref="FusedUpdates.Adam"/> (Adam and AdamW).</summary>
internal sealed unsafe class ChunkedAdam : ChunkedUpdate
{
    private float* _p, _g, _m, _v;
    private FusedUpdates.AdamArguments _arguments;

    /// <summary>p, m, v updated in place from g; see <see cref="FusedUpdates.Adam"/>.</summary>
    public void Run(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        in FusedUpdates.AdamArguments arguments)
    {
        fixed (float* pp = p, pg = g, pm = m, pv = v)
        {
            _p = pp; _g = pg; _m = pm; _v = pv;
            _arguments = arguments;
            Dispatch(p.Length);
            _p = _g = _m = _v = null;
        }
    }

    protected override void Update(int start, int length) =>
        FusedUpdates.Adam(Slice(_p, start, length), Slice(_g, start, length), Slice(_m, start, length),
            Slice(_v, start, length), _arguments);
}
