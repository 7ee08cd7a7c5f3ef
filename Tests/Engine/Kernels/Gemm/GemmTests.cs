using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Kernels;
using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// The optimised GEMM against <see cref="GemmReference"/> (double accumulation). Tolerance: each output is
/// a float sum of k products of values in [-1, 1]; float rounding error grows at worst like k·eps·Σ|a·b|,
/// and Σ|a·b| ≤ k, so we allow |got - want| ≤ 4·k·eps·(1 + |want|) + (accumulate ? eps·|C₀| terms) —
/// loose enough for any summation order, tight enough to catch a wrong element (errors there are O(1)).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class GemmTests
{
    private static readonly int[] OddSizes = [1, 7, 33, 257];

    public static TheoryData<bool, bool, bool> Variants()
    {
        var data = new TheoryData<bool, bool, bool>();
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                    data.Add(transA, transB, accumulate);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesReferenceOnOddShapesForEveryKernel(bool transA, bool transB, bool accumulate)
    {
        var random = new Random(1234);
        foreach (var kind in KernelsOnThisMachine())
            foreach (int m in OddSizes)
                foreach (int n in OddSizes)
                    foreach (int k in OddSizes)
                    {
                        if ((long)m * n * k > 257L * 257 * 33) continue; // keeps the O(mnk) reference quick
                        CheckAgainstReference(random, m, n, k, transA, transB, accumulate, kind);
                    }
    }

    [Theory]
    [InlineData(128, 1024, 784, false, false)] // MLP forward, k split into balanced slabs
    [InlineData(300, 130, 128, true, false)]   // weight gradient Aᵀ·B
    [InlineData(128, 300, 520, false, true)]   // input gradient A·Bᵀ
    [InlineData(33, 4100, 27, true, true)]     // wider than one B slab (NcMax) with an edge slab
    [InlineData(1030, 40, 9, false, false)]    // taller than one A block (MBlock)
    [InlineData(1000, 20, 1100, false, true)]  // A too big to pack whole: the per-slab path
    [InlineData(256, 200, 576, false, true)]   // CTR tower layer: last B panel 8 wide (half-width kernel into scratch)
    [InlineData(16, 48, 37, false, false)]     // last panel exactly 16 wide: half-width kernel straight into C
    [InlineData(13, 60, 37, true, false)]      // last panel 28 wide: full kernel; 5-row edge
    public void MatchesReferenceOnBlockBoundaries(int m, int n, int k, bool transA, bool transB)
    {
        var random = new Random(m * 31 + n);
        CheckAgainstReference(random, m, n, k, transA, transB, accumulate: true, Gemm.PackedKind);
    }

    [Property(MaxTest = 40)]
    public Property MatchesReferenceOnRandomShapes()
    {
        var sizes = Gen.Choose(1, 70);
        var shapes = from m in sizes
                     from n in sizes
                     from k in sizes
                     from flags in Gen.Choose(0, 7)
                     select (m, n, k, flags);
        return Prop.ForAll(shapes.ToArbitrary(), s =>
        {
            var random = new Random(s.m * 10007 + s.n * 101 + s.k);
            CheckAgainstReference(random, s.m, s.n, s.k, (s.flags & 1) != 0, (s.flags & 2) != 0,
                (s.flags & 4) != 0, Gemm.PackedKind);
            // Same shape through the public entry point (which picks the direct path for small work).
            CheckAgainstReference(random, s.m, s.n, s.k, (s.flags & 1) != 0, (s.flags & 2) != 0,
                (s.flags & 4) != 0, kind: null);
        });
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ResultIsBitIdenticalForOneAndTwoThreads(bool transA, bool transB)
    {
        const int m = 200, n = 300, k = 600; // several tiles each way, three k slabs
        var random = new Random(7);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n);
        float[] one = new float[m * n], two = new float[m * n];
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 1;
            Gemm.Multiply(a, b, one, m, n, k, transA, transB);
            Parallelism.ThreadCount = 2;
            Gemm.Multiply(a, b, two, m, n, k, transA, transB);
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
        Assert.Equal(one, two);
    }

    [Theory]
    [InlineData(203, 600, false)] // 25 groups of eight rows split 12/13, a 3-row tail in the second part
    [InlineData(200, 576, true)]  // the CTR light tower's first layer
    public void OneRowSplitOverThreadsIsBitIdenticalAndMatchesTheReference(int n, int k, bool accumulate)
    {
        var random = new Random(11);
        float[] a = RandomArray(random, k), b = RandomArray(random, n * k), start = RandomArray(random, n);
        float[] one = (float[])start.Clone(), two = (float[])start.Clone();
        KernelTestData.WithThreads(1, () => Gemm.Multiply(a, b, one, 1, n, k, transB: true, accumulate: accumulate));
        // The first call with sleeping (or no) workers runs inline; later ones find the workers awake and split.
        KernelTestData.WithThreads(2, () =>
        {
            for (int call = 0; call < 5; call++)
            {
                float[] split = (float[])start.Clone();
                Gemm.Multiply(a, b, split, 1, n, k, transB: true, accumulate: accumulate);
                Assert.Equal(one, split);
            }
        });
        var expected = new float[n];
        GemmReference.Multiply(a, b, expected, 1, n, k, transA: false, transB: true, accumulate: false);
        for (int j = 0; j < n; j++)
        {
            float want = expected[j] + (accumulate ? start[j] : 0);
            Assert.True(Math.Abs(one[j] - want) <= 4 * k * 1.2e-7f * (1 + Math.Abs(want)),
                $"c[{j}]: {one[j]} vs {want}");
        }
    }

    [Fact]
    public void ZeroDepthClearsOrKeepsC()
    {
        float[] c = [1, 2, 3, 4];
        Gemm.Multiply([], [], c, 2, 2, 0, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
        Gemm.Multiply([], [], c, 2, 2, 0);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void OverwriteIgnoresGarbageInC()
    {
        const int m = 40, n = 70, k = 50;
        var random = new Random(3);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n);
        float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        Gemm.Multiply(a, b, c, m, n, k);
        Assert.DoesNotContain(c, float.IsNaN);
    }

    [Theory]
    [InlineData(5, 9, 6, "A")]
    [InlineData(6, 8, 6, "B")]
    [InlineData(6, 9, 5, "C")]
    public void ShortSpanThrowsNamingTheMatrix(int aLength, int bLength, int cLength, string matrix)
    {
        // m=2, n=3, k=3: A needs 6, B needs 9, C needs 6.
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(new float[aLength], new float[bLength], new float[cLength], 2, 3, 3));
        Assert.Contains($"{matrix} holds", e.Message);
        Assert.Contains("needs", e.Message);
    }

    [Fact]
    public void NegativeSizeThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[4], new float[4],
            new float[4], -1, 2, 2));
        Assert.Contains("non-negative", e.Message);
    }

    [Fact]
    public void SteadyStateCallsAllocateNothing()
    {
        const int m = 128, n = 256, k = 200;
        var random = new Random(5);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n), c = new float[m * n];
        // Warm up once on one thread too: each thread's B-tile scratch grows the first time that thread runs a tile,
        // and on several threads the workers may take every tile of the first calls.
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 1;
            Gemm.Multiply(a, b, c, m, n, k, transB: true);
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
        SteadyStateAllocation.AssertNoneOnCaller(() => Gemm.Multiply(a, b, c, m, n, k, transB: true));
        // Worker threads are covered by KernelAllocationTests, which runs alone (the counter is process-wide).
    }

    [Theory]
    [InlineData(256, 200, 576, true)]    // CTR tower layer: 8-wide last panel through scratch, three k slabs
    [InlineData(13, 60, 37, false)]      // a 5-row last panel (packed on the stack) and a 28-wide edge
    [InlineData(1030, 48, 300, true)]    // taller than one A block: a second block starting at row 1024
    [InlineData(1000, 20, 1100, false)]  // A too big to pack whole: the per-slab path
    public void ReadingARowsInPlaceGivesTheBitsOfPackingIt(int m, int n, int k, bool transB)
    {
        // A stored [k, m] with transA is always packed; the same values stored [m, k] are read in place by the
        // AVX-512 kernels. Both must run the same FMAs in the same order.
        var random = new Random(m + n + k);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n), initial = RandomArray(random, m * n);
        float[] aT = new float[k * m];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) aT[p * m + i] = a[i * k + p];
        float[] inPlace = (float[])initial.Clone(), packed = (float[])initial.Clone();
        Gemm.Multiply(a, b, inPlace, m, n, k, transA: false, transB, accumulate: true, Gemm.PackedKind);
        Gemm.Multiply(aT, b, packed, m, n, k, transA: true, transB, accumulate: true, Gemm.PackedKind);
        Assert.Equal(packed, inPlace);
    }

    [Theory]
    [InlineData(512, true)]    // rows 2 KB apart: two groups of L1 sets, 4 rows each
    [InlineData(576, true)]    // the CTR tower's input width: rows spread over 16 set groups
    [InlineData(100, true)]    // not a whole number of lines: rows drift across the sets
    [InlineData(1024, false)]  // rows 4 KB apart: all 8 in the same sets
    [InlineData(3072, false)]
    public void ARowsAreReadInPlaceUnlessTheyShareL1Sets(int k, bool inPlace) =>
        Assert.Equal(inPlace, GemmDriver.RowsSpreadOverL1Sets(k));

    private static IEnumerable<GemmKernelKind> KernelsOnThisMachine()
    {
        yield return GemmKernelKind.Direct;
        yield return GemmKernelKind.Scalar;
        if (VectorWidth.FusedMultiplyAdd128)
            yield return GemmKernelKind.Vector128;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported)
            yield return GemmKernelKind.Vector256;
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            yield return GemmKernelKind.Vector512;
    }

    private static void CheckAgainstReference(Random random, int m, int n, int k, bool transA, bool transB,
        bool accumulate, GemmKernelKind? kind)
    {
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n);
        float[] initial = RandomArray(random, m * n);
        float[] want = (float[])initial.Clone(), got = (float[])initial.Clone();
        GemmReference.Multiply(a, b, want, m, n, k, transA, transB, accumulate);
        if (kind is { } forced)
            Gemm.Multiply(a, b, got, m, n, k, transA, transB, accumulate, forced);
        else
            Gemm.Multiply(a, b, got, m, n, k, transA, transB, accumulate);

        const float eps = 1.1920929e-7f; // float machine epsilon, 2^-23
        for (int i = 0; i < want.Length; i++)
        {
            float tolerance = 4 * (k + 1) * eps * (1 + Math.Abs(want[i]));
            if (Math.Abs(got[i] - want[i]) > tolerance)
                Assert.Fail($"{kind} m={m} n={n} k={k} transA={transA} transB={transB} accumulate={accumulate}: " +
                            $"C[{i / n},{i % n}] = {got[i]}, reference {want[i]} (tolerance {tolerance})");
        }
    }

    private static float[] RandomArray(Random random, int length)
    {
        var array = new float[length];
        for (int i = 0; i < length; i++) array[i] = (float)(random.NextDouble() * 2 - 1);
        return array;
    }
}

/// <summary>Tests that change <see cref="Parallelism.ThreadCount"/> run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class ThreadCountCollection
{
    public const string Name = "Parallelism.ThreadCount";
}
