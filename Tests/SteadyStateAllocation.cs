using Xunit;

namespace RocketNet.Tests;

/// <summary>
/// Checks that a call allocates nothing on the calling thread once warm. Shared so every such test warms up the
/// same way: a handful of warm-up calls is not enough, because tiered compilation re-JITs a method after about 30
/// calls (call counting, then a background compile ~100 ms later) and installing the new code can allocate on the
/// thread that made the call — a fresh-clone CI run once saw 3,024 bytes in a GEMM loop that allocates nothing.
/// </summary>
internal static class SteadyStateAllocation
{
    /// <summary>
    /// Warms <paramref name="call"/> past tiered compilation, then runs it <paramref name="callsPerAttempt"/> times
    /// per attempt and asserts that some attempt allocated 0 bytes on this thread. A call that allocates does so in
    /// every attempt (at least <paramref name="callsPerAttempt"/> objects each), so only one-off runtime work can be
    /// forgiven, never a per-call allocation; the message lists every attempt's bytes.
    /// </summary>
    public static void AssertNoneOnCaller(Action call, int callsPerAttempt = 20)
    {
        for (int i = 0; i < 40; i++) call();
        Thread.Sleep(150); // the background tier-1 compile
        call();
        var attempts = new List<long>();
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < callsPerAttempt; i++) call();
            attempts.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (attempts[^1] == 0) return;
        }
        Assert.Fail($"{callsPerAttempt} warm calls allocated on the calling thread in every attempt: " +
                    $"{string.Join(", ", attempts)} bytes.");
    }
}
