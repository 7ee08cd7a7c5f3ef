using RocketNet.Kernels;

namespace RocketNet.Training.Optim;

/// <summary>
/// Adam that updates only the rows of an embedding table that the batch used (TensorFlow's LazyAdam): for
/// the row-sparse parameters given, a row whose gradient is all zeros keeps its value and its moments, and
/// gets no weight decay. Dense parameters are updated exactly as by <see cref="Adam"/>. Bias corrections use
/// the parameter's step count, as in LazyAdam.
/// <para>
/// Why: a CTR embedding table has millions of rows and a batch touches a few thousand. Dense Adam keeps
/// moving every row on stale moments and, with L2 weight decay, shrinks the rows no sample uses toward
/// zero (into subnormal floats, which are slow on x86) — updates no data asked for. When only embedding lookups
/// wrote a table's gradient it is row-sparse (<see cref="Tensor.TryGetRowSparseGrad"/>) and the step visits just
/// the looked-up rows, never the whole table.
/// </para>
/// </summary>
public sealed class LazyAdam : Adam
{
    private readonly int[] _rowWidths;   // per parameter: row width for row-sparse tables, 0 for dense

    /// <summary>
    /// Creates LazyAdam over <paramref name="parameters"/>, treating <paramref name="rowSparse"/> as [rows, width]
    /// tables.
    /// </summary>
    /// <exception cref="ArgumentException">A row-sparse tensor is not among the parameters or is not
    /// two-dimensional.</exception>
    public LazyAdam(IEnumerable<Tensor> parameters, IEnumerable<Tensor> rowSparse,
        double learningRate = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false)
    {
        ArgumentNullException.ThrowIfNull(rowSparse);
        _rowWidths = new int[Parameters.Count];
        foreach (var table in rowSparse)
        {
            int index = -1;
            for (int i = 0; i < Parameters.Count; i++) if (ReferenceEquals(Parameters[i], table)) index = i;
            if (index < 0)
                throw new ArgumentException(
                    $"LazyAdam: the row-sparse tensor {table} is not one of the optimiser's parameters.",
                    nameof(rowSparse));
            if (table.Rank != 2)
                throw new ArgumentException(
                    $"LazyAdam: a row-sparse tensor must be a [rows, width] table; got {table}.", nameof(rowSparse));
            _rowWidths[index] = table.Size(1);
        }
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        int width = _rowWidths[index];
        if (width == 0)
        {
            base.Update(index, parameter, gradient);
            return;
        }
        var (m, v, arguments) = BeginUpdate(index, parameter.Length);
        for (int row = 0; row < parameter.Length / width; row++)
            UpdateRow(row, gradient.Slice(row * width, width), parameter, m, v, arguments);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The rows a batch looked up, and only those: the same updates as <see cref="Update"/> (which finds them by
    /// scanning every row for a nonzero gradient), at a cost proportional to the batch instead of the table.
    /// </remarks>
    protected override bool TryUpdateRows(int index, Span<float> parameter, ReadOnlySpan<float> gradient,
        ReadOnlySpan<int> rows, int width)
    {
        if (_rowWidths[index] != width) return false; // a dense parameter: Adam's update of every value
        var (m, v, arguments) = BeginUpdate(index, parameter.Length);
        for (int slot = 0; slot < rows.Length; slot++)
            UpdateRow(rows[slot], gradient.Slice(slot * width, width), parameter, m, v, arguments);
        return true;
    }

    /// <summary>
    /// Adam on parameter row <paramref name="row"/> from its gradient <paramref name="rowGradient"/>, unless that is
    /// all zeros (unused, or its contributions cancelled): then the row keeps its value and its moments.
    /// </summary>
    private static void UpdateRow(int row, ReadOnlySpan<float> rowGradient, Span<float> parameter,
        float[] m, float[] v, FusedUpdates.AdamArguments arguments)
    {
        int width = rowGradient.Length, start = row * width;
        foreach (float g in rowGradient)
        {
            if (g == 0f) continue;
            FusedUpdates.Adam(parameter.Slice(start, width), rowGradient, m.AsSpan(start, width),
                v.AsSpan(start, width), arguments);
            return;
        }
    }
}
