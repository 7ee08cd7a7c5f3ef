using RocketNet.Autograd;

namespace RocketNet;

// Row-sparse gradients: an embedding table of a million rows gets gradient in the few thousand rows a batch
// looked up. Clearing and scanning the whole table every step (13 MB for the CTR pair's 107,000 × 32 table)
// costs more than the rows themselves; this keeps the table's gradient as "these rows, the rest zero" until
// someone asks for all of it.
public sealed partial class Tensor
{
    private GradientRows? _gradRows;

    /// <summary>
    /// Reads a row-sparse gradient without making it whole: true when, since the last <see cref="ZeroGrad"/>, only
    /// embedding lookups have written this [rows, width] tensor's gradient. <paramref name="rows"/> are the rows that
    /// may be nonzero (in the order first looked up, no repeats); <paramref name="values"/> is the gradient buffer
    /// [rows × width], valid at those rows only — the others are logically zero but hold stale values. False when
    /// the gradient is dense or absent: use <see cref="Grad"/>. Lets an optimiser update only the rows a batch used
    /// (LazyAdam) at a cost proportional to them.
    /// </summary>
    public bool TryGetRowSparseGrad(out ReadOnlySpan<int> rows, out ReadOnlySpan<float> values)
    {
        if (_gradState != GradState.RowSparse)
        {
            rows = default;
            values = default;
            return false;
        }
        rows = _gradRows!.Rows;
        values = _grad!.Data;
        return true;
    }

    /// <summary>
    /// The gradient buffer for an embedding backward that will add into rows <paramref name="rowIndices"/> of this
    /// [rows, width] leaf: rows not written since the last <see cref="ZeroGrad"/> are cleared here, one by one, and
    /// the gradient stays row-sparse; a dense gradient is returned as it is. Same values as clearing all of it.
    /// </summary>
    internal Span<float> GradForRowScatter(ReadOnlySpan<int> rowIndices)
    {
        int width = _shape[1];
        if (_grad is null)
        {
            _grad = CreatePersistent(_shape.ToArray());
            _gradState = GradState.Zero;
        }
        Span<float> grad = _grad.Data;
        if (_gradState == GradState.Zero)
        {
            _gradRows ??= new GradientRows(_shape[0]);
            _gradRows.Clear();
            _gradState = GradState.RowSparse;
        }
        if (_gradState == GradState.RowSparse)
        {
            foreach (int row in rowIndices)
                if (_gradRows!.Add(row)) grad.Slice(row * width, width).Clear();
        }
        return grad;
    }

    /// <summary>Makes a deferred-zero or row-sparse gradient whole, so every value is the gradient.</summary>
    private void MaterializeGrad()
    {
        switch (_gradState)
        {
            case GradState.Zero:
                Kernels.ElementwiseKernels.Clear(_grad!.Data);
                break;
            case GradState.RowSparse:
                int width = _shape[1];
                Span<float> grad = _grad!.Data;
                for (int row = 0; row < _shape[0]; row++)
                    if (!_gradRows!.Contains(row)) grad.Slice(row * width, width).Clear();
                break;
        }
        _gradState = GradState.Dense;
    }
}
