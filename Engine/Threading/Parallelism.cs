namespace RocketNet;

/// <summary>
/// The engine-wide thread setting. Every parallel kernel honours <see cref="ThreadCount"/>; work is split
/// into fixed tiles that do not depend on the thread count, so results are identical for any setting.
/// </summary>
public static class Parallelism
{
    [ThreadStatic] private static int _inlineDepth;

    private static int _threadCount = Environment.ProcessorCount;
    private static WorkerPool? _pool;
    private static readonly object PoolGate = new();

    /// <summary>
    /// Number of threads a parallel kernel may use (the calling thread included). Defaults to
    /// <see cref="Environment.ProcessorCount"/>. Like <c>torch.set_num_threads</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above 256.</exception>
    public static int ThreadCount
    {
        get => _threadCount;
        set
        {
            if (value < 1 || value > 256)
                throw new ArgumentOutOfRangeException(nameof(value), value, "ThreadCount must be between 1 and 256.");
            _threadCount = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="job"/> for every index in [0, <paramref name="count"/>) on up to
    /// <see cref="ThreadCount"/> threads and returns when all have finished. Nested calls (a job that
    /// itself calls <c>For</c>) run inline on the current thread. Allocates nothing. Public so that code
    /// above the engine (optimisers, custom kernels) shares the same worker threads instead of starting its own.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    public static void For(int count, ParallelJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (count <= 0) return;
        int threads = _threadCount;
        if (threads <= 1 || count == 1 || WorkerPool.InsideParallelRegion || _inlineDepth > 0)
        {
            for (int i = 0; i < count; i++) job.Run(i);
            return;
        }
        var pool = GetPool(threads - 1);
        // One job at a time per pool: a second user thread arriving meanwhile runs its job inline.
        if (!Monitor.TryEnter(pool))
        {
            for (int i = 0; i < count; i++) job.Run(i);
            return;
        }
        try
        {
            pool.Run(count, job);
        }
        finally
        {
            Monitor.Exit(pool);
        }
    }

    /// <summary>
    /// As <see cref="For"/> when every worker is awake (spinning after a recent job); otherwise runs inline and
    /// wakes (or first creates) the workers so the next call can share. For latency-bound work of a few
    /// microseconds, where waiting for a sleeping thread to wake would cost more than the work.
    /// </summary>
    internal static void ForIfWorkersAwake(int count, ParallelJob job)
    {
        int threads = _threadCount;
        var pool = _pool;
        if (_inlineDepth > 0)
        {
            for (int i = 0; i < count; i++) job.Run(i);
            return;
        }
        if (threads > 1 && count > 1 && !WorkerPool.InsideParallelRegion && pool is not null
            && pool.WorkerCount == threads - 1 && pool.AllAwake)
        {
            For(count, job);
            return;
        }
        for (int i = 0; i < count; i++) job.Run(i);
        if (threads > 1 && !WorkerPool.InsideParallelRegion) GetPool(threads - 1).Wake();
    }

    /// <summary>
    /// Fewest multiply-adds for which a serving call hands work to the workers (<see cref="InlineBelow"/>):
    /// 2²² ≈ 4.2 M, about 40–80 µs of one core's work. Below it the gain from a second thread is at most half of
    /// that, while a hand-off costs several µs on a quiet machine and, when the worker has been descheduled by
    /// another process, up to a scheduler time slice (issue 32 measured a batch-1 WRN call at 4× its one-thread
    /// time on a loaded machine). A WRN-16-1 layer on one 32×32 image is at most 2.4 M, a CTR tower sample 0.13 M.
    /// </summary>
    public const long MinParallelWork = 1L << 22;

    /// <summary>
    /// While the returned scope is open (and <paramref name="work"/> is below <see cref="MinParallelWork"/>),
    /// every <see cref="For"/> on this thread runs inline: results are unchanged (tiles never depend on the thread
    /// count), only the hand-offs go. For latency-bound callers such as serving plans, per call or per layer.
    /// Allocates nothing; dispose on the same thread.
    /// </summary>
    /// <param name="work">Multiply-adds (or comparable operations) of the work about to run.</param>
    public static InlineScope InlineBelow(long work) => new(work < MinParallelWork);

    /// <summary>
    /// The scope of <see cref="InlineBelow"/>: makes this thread's parallel loops run inline until disposed.
    /// </summary>
    public readonly struct InlineScope : IDisposable
    {
        private readonly bool _active;

        internal InlineScope(bool active)
        {
            _active = active;
            if (active) _inlineDepth++;
        }

        /// <summary>Ends the scope.</summary>
        public void Dispose()
        {
            if (_active) _inlineDepth--;
        }
    }

    private static WorkerPool GetPool(int workers)
    {
        var pool = _pool;
        if (pool is not null && pool.WorkerCount == workers) return pool;
        lock (PoolGate)
        {
            if (_pool is null || _pool.WorkerCount != workers)
            {
                _pool?.Retire();
                _pool = new WorkerPool(workers);
            }
            return _pool;
        }
    }
}

/// <summary>
/// A unit of parallel work for <see cref="Parallelism.For"/>: <see cref="Run"/> is called once for each index,
/// possibly on several threads at once. Kernels keep one cached instance per kernel (filled with that call's
/// arguments) so dispatching allocates nothing.
/// </summary>
public abstract class ParallelJob
{
    /// <summary>Processes tile <paramref name="index"/>.</summary>
    public abstract void Run(int index);
}
