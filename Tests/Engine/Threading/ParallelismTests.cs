using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Engine;

[Collection(ThreadCountCollection.Name)]
public class ParallelismTests
{
    private sealed class MarkJob(int[] hits) : ParallelJob
    {
        public override void Run(int index) => Interlocked.Increment(ref hits[index]);
    }

    private sealed class ThrowingJob : ParallelJob
    {
        public override void Run(int index)
        {
            if (index == 5) throw new InvalidOperationException("tile 5 failed");
        }
    }

    private sealed class NestedJob(int[] hits) : ParallelJob
    {
        public override void Run(int index) => Parallelism.For(4, new MarkJob(hits));
    }

    [Fact]
    public void LatencyBoundJobsRunEveryIndexOnceWhetherWorkersSleepOrSpin()
    {
        KernelTestData.WithThreads(2, () =>
        {
            for (int round = 0; round < 6; round++)
            {
                var hits = new int[7];
                Parallelism.ForIfWorkersAwake(7, new MarkJob(hits));
                Assert.All(hits, h => Assert.Equal(1, h));
                // Past the workers' 200 µs spin every other round: they sleep and the next call runs inline
                // and wakes them; a lost or doubled index, or a worker that never wakes, would show here.
                if (round % 2 == 1) Thread.Sleep(5);
            }
            var done = new int[3];
            Parallelism.For(3, new MarkJob(done)); // the pool still takes ordinary jobs after Wake
            Assert.All(done, h => Assert.Equal(1, h));
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryIndexRunsExactlyOnce(int threads)
    {
        KernelTestData.WithThreads(threads, () =>
        {
            // Long jobs are claimed in runs of indices (the last run cut short): lengths with and without a remainder.
            foreach (int length in new[] { 1, 37, 1000, 1037 })
                for (int round = 0; round < 50; round++)
                {
                    var hits = new int[length];
                    Parallelism.For(hits.Length, new MarkJob(hits));
                    Assert.All(hits, h => Assert.Equal(1, h));
                }
        });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void BackToBackShortJobsRunEveryIndexOnceWhenWorkersJoinLateOrNotAtAll(int threads)
    {
        // The caller waits only for workers that joined a job. Thousands of jobs of a few indices, with more
        // threads than cores at 4, leave workers joining late (after the caller drained a job alone, or into
        // the next job): an index run twice, a lost one, or a caller that returns while a worker still runs
        // the job's indices (a hit landing after the check) would show here.
        KernelTestData.WithThreads(threads, () =>
        {
            for (int round = 0; round < 20_000; round++)
            {
                var hits = new int[1 + round % 9];
                Parallelism.For(hits.Length, new MarkJob(hits));
                foreach (int h in hits) Assert.Equal(1, h);
                if (round % 4_000 == 3_999) Thread.Sleep(2); // workers past their spin, asleep
            }
        });
    }

    [Fact]
    public void ExceptionInAWorkerReachesTheCaller()
    {
        KernelTestData.WithThreads(2, () =>
        {
            var e = Assert.Throws<InvalidOperationException>(() => Parallelism.For(64, new ThrowingJob()));
            Assert.Contains("tile 5", e.Message);
            // The pool keeps working after a failure.
            var hits = new int[16];
            Parallelism.For(hits.Length, new MarkJob(hits));
            Assert.All(hits, h => Assert.Equal(1, h));
        });
    }

    [Fact]
    public void NestedCallsRunInline()
    {
        KernelTestData.WithThreads(2, () =>
        {
            var hits = new int[4];
            Parallelism.For(8, new NestedJob(hits));
            Assert.All(hits, h => Assert.Equal(8, h));
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(257)]
    public void BadThreadCountIsRejected(int threads)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.ThreadCount = threads);
        Assert.Contains("ThreadCount", e.Message);
    }
}
