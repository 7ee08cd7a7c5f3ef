using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// The 128-bit GEMM (the kernel ARM64 runs) against one core's 128-bit FMA peak, in the same run: Size³ GEMM on one
/// thread with the kernels' width capped at <see cref="MaxBits"/> (<see cref="VectorWidth"/>);
/// <see cref="MicroKernel128"/>, the Vector128 micro-kernel alone on panels that stay in L1 (the GEMM's ceiling);
/// and <see cref="FmaPeak128"/>, 16 independent chains of <see cref="Vector128.FusedMultiplyAdd(Vector128{float},
/// Vector128{float}, Vector128{float})"/> doing 2·Size³ floating-point operations (16 chains cover a 4-cycle FMA
/// latency on up to four FMA pipes, as on Apple silicon). Each reports GFLOP/s; the "% of 128-bit peak" column
/// divides each case's GFLOP/s by the peak's with the same parameters.
/// <c>dotnet run -c Release --project Benchmarks -- --filter '*Vector128Gemm*'</c>
/// </summary>
[MemoryDiagnoser]
[PeakShareColumns]
[MedianColumn]
public unsafe class Vector128GemmBenchmarks
{
    /// <summary>Independent FMA chains of <see cref="FmaChains"/>.</summary>
    internal const int Chains = 16;

    /// <summary>k depth of the micro-kernel's panels: the driver's deepest slab.</summary>
    private const int PanelDepth = GemmDriver.KcMax;

    private float[] _a = [], _b = [], _c = [];
    private float[] _panels = []; // pinned: A panel [PanelDepth][6], B panel [PanelDepth][16], C tile [6][16]
    private int _savedThreads, _savedBits;

    /// <summary>Matrix side length.</summary>
    [Params(512)]
    public int Size { get; set; }

    /// <summary>Cap on the kernels' vector width in bits: 128 is the ARM64 path, 512 this machine's widest.</summary>
    [Params(128, 512)]
    public int MaxBits { get; set; }

    /// <summary>Fills A and B with fixed pseudo-random values, sets one thread and the width cap.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _a = new float[Size * Size];
        _b = new float[Size * Size];
        _c = new float[Size * Size];
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = (float)(random.NextDouble() * 2 - 1);
            _b[i] = (float)(random.NextDouble() * 2 - 1);
        }
        _panels = GC.AllocateArray<float>(PanelDepth * (GemmMicroKernel128.Mr + GemmMicroKernel128.Nr) + 96 + 16,
            pinned: true);
        for (int i = 0; i < _panels.Length; i++) _panels[i] = (float)(random.NextDouble() * 2 - 1) * 1e-3f;
        (_savedThreads, _savedBits) = (Parallelism.ThreadCount, VectorWidth.MaxBits);
        Parallelism.ThreadCount = 1;
        VectorWidth.MaxBits = MaxBits;
    }

    /// <summary>Restores the thread count and the width cap.</summary>
    [GlobalCleanup]
    public void Cleanup() => (Parallelism.ThreadCount, VectorWidth.MaxBits) = (_savedThreads, _savedBits);

    /// <summary>One Size³ multiply on one thread, on the kernel the cap leaves.</summary>
    [Benchmark]
    public void Gemm() => Kernels.Gemm.Multiply(_a, _b, _c, Size, Size, Size);

    /// <summary>
    /// The Vector128 micro-kernel alone, <see cref="MicroKernelCalls"/> times over one A and one B panel of depth
    /// 256 that stay in L1, accumulating into one C tile: about Size³ multiply-adds with no packing and no cache
    /// misses, the most the GEMM can reach.
    /// </summary>
    [Benchmark]
    public void MicroKernel128()
    {
        fixed (float* start = _panels)
        {
            float* a = start, b = a + PanelDepth * GemmMicroKernel128.Mr, c = b + PanelDepth * GemmMicroKernel128.Nr;
            long calls = MicroKernelCalls(Size);
            for (long i = 0; i < calls; i++)
                GemmMicroKernel128.Run(a, b, c, GemmMicroKernel128.Nr, PanelDepth, accumulate: true);
        }
    }

    /// <summary>Calls of the micro-kernel in <see cref="MicroKernel128"/>: Size³ multiply-adds, rounded down.</summary>
    public static long MicroKernelCalls(int size) =>
        (long)size * size * size / ((long)GemmMicroKernel128.Mr * GemmMicroKernel128.Nr * PanelDepth);

    /// <summary>Floating-point operations of one run of <paramref name="method"/> at <paramref name="size"/>.</summary>
    public static double Flops(string method, int size) => method == nameof(MicroKernel128)
        ? 2.0 * MicroKernelCalls(size) * GemmMicroKernel128.Mr * GemmMicroKernel128.Nr * PanelDepth
        : 2.0 * size * size * size;

    /// <summary>Size³ multiply-adds as 128-bit FMAs in 16 independent chains: the peak the GEMM is held to.</summary>
    [Benchmark]
    public float FmaPeak128() => FmaChains((int)((long)Size * Size * Size / (Vector128<float>.Count * Chains)));

    /// <summary>16 independent chains of 128-bit FMAs, <paramref name="iterations"/> steps each.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static float FmaChains(int iterations)
    {
        Vector128<float> x = Vector128.Create(0.999999f), y = Vector128.Create(1e-7f);
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector128<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        Vector128<float> a12 = default, a13 = default, a14 = default, a15 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, x, y); a1 = Vector128.FusedMultiplyAdd(a1, x, y);
            a2 = Vector128.FusedMultiplyAdd(a2, x, y); a3 = Vector128.FusedMultiplyAdd(a3, x, y);
            a4 = Vector128.FusedMultiplyAdd(a4, x, y); a5 = Vector128.FusedMultiplyAdd(a5, x, y);
            a6 = Vector128.FusedMultiplyAdd(a6, x, y); a7 = Vector128.FusedMultiplyAdd(a7, x, y);
            a8 = Vector128.FusedMultiplyAdd(a8, x, y); a9 = Vector128.FusedMultiplyAdd(a9, x, y);
            a10 = Vector128.FusedMultiplyAdd(a10, x, y); a11 = Vector128.FusedMultiplyAdd(a11, x, y);
            a12 = Vector128.FusedMultiplyAdd(a12, x, y); a13 = Vector128.FusedMultiplyAdd(a13, x, y);
            a14 = Vector128.FusedMultiplyAdd(a14, x, y); a15 = Vector128.FusedMultiplyAdd(a15, x, y);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }
}

/// <summary>
/// GFLOP/s of a <see cref="Vector128GemmBenchmarks"/> case (its operations over its median time), or, with
/// <c>share</c>, that as a percentage of the <c>FmaPeak128</c> case with the same parameters in the same summary.
/// </summary>
public sealed class PeakShareColumn(bool share) : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(PeakShareColumn) + (share ? "Share" : "Gflops");
    /// <inheritdoc />
    public string ColumnName => share ? "% of 128-bit peak" : "GFLOP/s";
    /// <inheritdoc />
    public string Legend => share
        ? "GFLOP/s as a percentage of FmaPeak128's with the same parameters in the same run"
        : "floating-point operations of one run divided by the median time";
    /// <inheritdoc />
    public bool AlwaysShow => true;
    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc />
    public int PriorityInCategory => share ? 1 : 0;
    /// <inheritdoc />
    public bool IsNumeric => true;
    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? gflops = Gflops(summary, benchmarkCase);
        if (!share)
            return gflops is double g ? g.ToString("F1", CultureInfo.InvariantCulture) : "-";
        var peak = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == nameof(Vector128GemmBenchmarks.FmaPeak128) &&
            c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        double? peakGflops = peak is null ? null : Gflops(summary, peak);
        if (gflops is not double value || peakGflops is not double p || p <= 0) return "-";
        return (100 * value / p).ToString("F1", CultureInfo.InvariantCulture);
    }

    private static double? Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? median = summary[benchmarkCase]?.ResultStatistics?.Median;
        var size = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Size")?.Value;
        if (median is not double nanoseconds || nanoseconds <= 0 || size is not int n) return null;
        return Vector128GemmBenchmarks.Flops(benchmarkCase.Descriptor.WorkloadMethod.Name, n) / nanoseconds;
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        GetValue(summary, benchmarkCase);
    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;
}

/// <summary>Adds the GFLOP/s and "% of 128-bit peak" <see cref="PeakShareColumn"/>s to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PeakShareColumnsAttribute : ColumnConfigBaseAttribute
{
    /// <summary>Registers both columns.</summary>
    public PeakShareColumnsAttribute() : base(new PeakShareColumn(false), new PeakShareColumn(true)) { }
}
