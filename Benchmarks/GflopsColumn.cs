using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RocketNet.Benchmarks;

/// <summary>
/// A summary column with a throughput in GFLOP/s (BenchmarkDotNet only reports times): the floating-point
/// operations of one run of a case, worked out from its parameters, divided by its median time. "-" for cases whose
/// parameters do not say.
/// </summary>
public abstract class FlopsColumn : IColumn
{
    /// <inheritdoc />
    public abstract string Id { get; }
    /// <inheritdoc />
    public abstract string ColumnName { get; }
    /// <inheritdoc />
    public abstract string Legend { get; }
    /// <inheritdoc />
    public bool AlwaysShow => true;
    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc />
    public int PriorityInCategory => 0;
    /// <inheritdoc />
    public bool IsNumeric => true;
    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <summary>
    /// The operations of one run of <paramref name="benchmarkCase"/>, or null when its parameters do not say.
    /// </summary>
    protected abstract double? Flops(BenchmarkCase benchmarkCase);

    /// <summary>The value of the case's parameter <paramref name="name"/>, or null.</summary>
    protected static object? Parameter(BenchmarkCase benchmarkCase, string name) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var median = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (Flops(benchmarkCase) is not double flops || median is not double nanoseconds || nanoseconds <= 0)
            return "-";
        return (flops / nanoseconds).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        GetValue(summary, benchmarkCase);
    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;
}

/// <summary>The GEMM throughput, 2·Size³ / median time. Empty for benchmarks without a <c>Size</c> parameter.</summary>
public sealed class GflopsColumn : FlopsColumn
{
    /// <inheritdoc />
    public override string Id => nameof(GflopsColumn);
    /// <inheritdoc />
    public override string ColumnName => "GFLOP/s";
    /// <inheritdoc />
    public override string Legend => "2·Size³ floating-point operations divided by the median time";

    /// <inheritdoc />
    protected override double? Flops(BenchmarkCase benchmarkCase) =>
        Parameter(benchmarkCase, "Size") is int n ? 2.0 * n * n * n : null;
}

/// <summary>Adds <see cref="GflopsColumn"/> to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class GflopsColumnAttribute : ColumnConfigBaseAttribute
{
    /// <summary>Registers the column.</summary>
    public GflopsColumnAttribute() : base(new GflopsColumn()) { }
}
