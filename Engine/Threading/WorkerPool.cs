using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace RocketNet;

/// <summary>
/// Dedicated worker threads that share the indices of one <see cref="ParallelJob"/> with the calling
/// thread. A worker joins a job while it is open, claims indices from a shared counter, and spins briefly
/// afterwards: training issues many small kernels back to back and waking a sleeping thread costs tens of
/// microseconds. After the spin it sleeps on a monitor. The caller closes the job once it has drained it and
/// waits only for the workers that joined: a worker that was asleep, or not scheduled because it shares the
/// caller's core with other work, is not waited for (the caller then runs every index itself).
/// </summary>
internal sealed class WorkerPool
{
    [ThreadStatic] private static bool _insideParallelRegion;

    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    /// <summary>About how many runs of indices each thread claims per job (see <see cref="Drain"/>).</summary>
    private const int ClaimsPerThread = 8;

    private readonly object _gate = new();
    private readonly int _workerCount;
    private ParallelJob? _job;
    private int _count;          // indices in the current job
    private int _run;            // indices per claim (see Drain); 1 for short jobs
    private int _next;           // next index to claim
    private int _joined;         // workers inside the current job, plus Closed once the caller has drained it
    private int _generation;     // bumped once per job; workers watch it
    private int _sleepers;
    private int _wakeCalls;      // bumped by Wake: sleepers go back to spinning without a job
    private volatile bool _retired;
    private Exception? _failure;

    public WorkerPool(int workerCount)
    {
        _workerCount = workerCount;
        for (int i = 0; i < workerCount; i++)
        {
            var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"RocketNet worker {i}" };
            thread.Start();
        }
    }

    /// <summary>Number of dedicated workers (the caller is one more thread).</summary>
    public int WorkerCount => _workerCount;

    /// <summary>True on a thread that is currently executing a job's indices.</summary>
    public static bool InsideParallelRegion => _insideParallelRegion;

    /// <summary>Runs the job on the caller and all workers; rethrows the first failure.</summary>
    public void Run(int count, ParallelJob job)
    {
        _job = job;
        _count = count;
        _run = Math.Max(1, count / ((_workerCount + 1) * ClaimsPerThread));
        _next = 0;
        _failure = null;
        Volatile.Write(ref _joined, 0); // open: the job's fields above are visible to whoever joins
        Signal();

        Drain(job);

        // Close the job, then wait for the workers inside it; one that joins from now on finds it closed.
        Interlocked.Or(ref _joined, Closed);
        var spinner = new SpinWait();
        while (Volatile.Read(ref _joined) != Closed) spinner.SpinOnce(-1);
        _job = null;
        if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>The bit of <see cref="_joined"/> that says the caller has drained the job and waits.</summary>
    private const int Closed = 1 << 30;

    /// <summary>
    /// Enters the current job unless the caller has closed it. A worker late enough to join the job after
    /// this one is no harm: the fields it then reads are that job's (they are written before the job opens),
    /// and the caller waits for it like any other.
    /// </summary>
    private bool TryJoin()
    {
        int state;
        do
        {
            state = Volatile.Read(ref _joined);
            if ((state & Closed) != 0) return false;
        }
        while (Interlocked.CompareExchange(ref _joined, state + 1, state) != state);
        return true;
    }

    /// <summary>True while no worker sleeps: a job dispatched now starts on every thread within microseconds.</summary>
    public bool AllAwake => Volatile.Read(ref _sleepers) == 0;

    /// <summary>
    /// Sends sleeping workers back to their spin without giving them a job, so the next job finds them
    /// awake. For latency-bound callers (single-sample inference) that run inline rather than wait for a wake-up.
    /// </summary>
    public void Wake()
    {
        if (Volatile.Read(ref _sleepers) == 0) return;
        lock (_gate)
        {
            _wakeCalls++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Lets the workers exit; used when the thread count changes.</summary>
    public void Retire()
    {
        _retired = true;
        Signal();
    }

    private void Signal()
    {
        Interlocked.Increment(ref _generation); // full fence: the job fields are visible before this
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_gate) Monitor.PulseAll(_gate);
        }
    }

    private void Drain(ParallelJob job)
    {
        _insideParallelRegion = true;
        try
        {
            // Long jobs are claimed in runs of indices, about an eighth of each thread's share: every claim moves
            // the counter's cache line between cores, and neighbouring indices mostly share data (the tiles of one
            // image read the same input planes), which a run keeps in one core's cache instead of fetching it into
            // both (docs/performance.md has the WRN-16-1 figure). Short jobs still go index by index.
            int count = _count, run = _run, first;
            while ((first = Interlocked.Add(ref _next, run) - run) < count)
            {
                int end = Math.Min(count, first + run);
                for (int i = first; i < end; i++) job.Run(i);
            }
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            Volatile.Write(ref _next, int.MaxValue / 2); // stop handing out indices
        }
        finally
        {
            _insideParallelRegion = false;
        }
    }

    private void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            seen = WaitForNewGeneration(seen);
            if (_retired) return;
            if (!TryJoin()) continue; // the caller drained it alone: nothing to do, nobody waits
            Drain(_job!);
            Interlocked.Decrement(ref _joined);
        }
    }

    private int WaitForNewGeneration(int seen)
    {
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                int g = Volatile.Read(ref _generation);
                if (g != seen) return g;
                // Short pauses between looks: a job of a few microseconds (one served request) starts on the
                // worker that much sooner (docs/performance.md has the measurement).
                Thread.SpinWait(4);
            }
            lock (_gate)
            {
                // Announce the sleep before the last look at _generation; Signal does the opposite, so at
                // least one of the two sees the other (no lost wake-up).
                Interlocked.Increment(ref _sleepers);
                try
                {
                    int wakeCalls = _wakeCalls, g;
                    while ((g = Volatile.Read(ref _generation)) == seen && _wakeCalls == wakeCalls && !_retired)
                        Monitor.Wait(_gate);
                    if (g != seen || _retired) return g;
                }
                finally
                {
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            // Woken without a job (Wake): spin again, ready for the caller's next job.
        }
    }
}
