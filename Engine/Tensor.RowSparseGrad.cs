using RocketNet.Autograd;

namespace RocketNet;

// Row-sparse gradients: an embedding table of a million rows gets gradient in the few thousand rows a batch
// looked up. Clearing and scanning the whole table every step (13 MB for the CTR pair's 107,000 × 32 table)
// costs more than the rows themselves, and a table-sized gradient buffer doubles the table's memory (0.83 GB for
// 26 fields × 10^6 buckets × 8); this keeps the gradient as "these rows, packed, the rest zero" (GradientRows)
// and makes a table-sized gradient only when someone asks for all of it.
public sealed partial class Tensor
{
    private GradientRows? _gradRows;

    /// <summary>
    /// Reads a row-sparse gradient without making it whole: true when, since the last <see cref="ZeroGrad"/>, only
    /// embedding lookups have written this [rows, width] tensor's gradient. <paramref name="rows"/> are the rows that
    /// may be nonzero (in the order first looked up, no repeats); <paramref name="values"/> holds their gradient
    /// rows packed in the same order, [rows.Length × width]: values[s·width .. (s+1)·width) is the gradient of table
    /// row rows[s]. Every other row's gradient is zero. False when the gradient is dense or absent: use
    /// <see cref="Grad"/>. Lets an optimiser update only the rows a batch used (LazyAdam) at a cost, and with memory,
    /// proportional to them.
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
        values = _gradRows.Values;
        return true;
    }

    /// <summary>
    /// The gradient buffer for an embedding backward that will add into rows <paramref name="rowIndices"/> of this
    /// [rows, width] leaf, and where each index's row is in it: add index i's gradient into row
    /// <paramref name="slots"/>[i] of the returned buffer. While the gradient is row-sparse (only such scatters since
    /// the last <see cref="ZeroGrad"/>) that is the compact buffer of the touched rows (new ones cleared); a dense
    /// gradient is returned whole, with the slots the indices themselves. Same values as a cleared dense buffer.
    /// The slots are valid until the next call.
    /// </summary>
    internal Span<float> GradForRowScatter(ReadOnlySpan<int> rowIndices, out ReadOnlySpan<int> slots)
    {
        if (_gradState == GradState.Dense && _grad is not null)
        {
            slots = rowIndices;
            return _grad.Data;
        }
        if (_gradState != GradState.RowSparse)
        {
            // Zero (after ZeroGrad) or no gradient yet: start an empty row-sparse one.
            _gradRows ??= new GradientRows(_shape[1]);
            _gradRows.Clear();
            _gradState = GradState.RowSparse;
        }
        slots = _gradRows!.AddAll(rowIndices);
        return _gradRows.Values;
    }

    /// <summary>
    /// Makes a deferred-zero or row-sparse gradient whole, so every value is the gradient: the table-sized buffer is
    /// created here if no dense use needed it before.
    /// </summary>
    private void MaterializeGrad()
    {
        switch (_gradState)
        {
            case GradState.Zero when _grad is null:
                _grad = CreatePersistent(_shape.ToArray()); // fresh, so already zero
                break;
            case GradState.Zero:
                Kernels.ElementwiseKernels.Clear(_grad.Data);
                break;
            case GradState.RowSparse:
                if (_grad is null) _grad = CreatePersistent(_shape.ToArray());
                else Kernels.ElementwiseKernels.Clear(_grad.Data);
                int width = _shape[1];
                Span<float> grad = _grad.Data;
                ReadOnlySpan<int> rows = _gradRows!.Rows;
                ReadOnlySpan<float> values = _gradRows.Values;
                for (int slot = 0; slot < rows.Length; slot++)
                    values.Slice(slot * width, width).CopyTo(grad.Slice(rows[slot] * width, width));
                break;
        }
        _gradState = GradState.Dense;
    }
}
