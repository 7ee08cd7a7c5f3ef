namespace RocketNet.Autograd;

/// <summary>
/// The set of rows of a [rows, width] gradient that embedding scatters have written since the last
/// <see cref="Tensor.ZeroGrad"/>: the rows in first-touch order, plus one membership bit per row so a repeated
/// index costs one test. Made once per parameter and reused, so a training step allocates nothing.
/// </summary>
internal sealed class GradientRows
{
    private readonly ulong[] _member;
    private int[] _rows = new int[64];

    public GradientRows(int rowCount) => _member = new ulong[(rowCount + 63) / 64];

    /// <summary>The rows added since the last <see cref="Clear"/>, in the order first added.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    /// <summary>How many distinct rows are in the set.</summary>
    public int Count { get; private set; }

    /// <summary>Whether <paramref name="row"/> is in the set.</summary>
    public bool Contains(int row) => (_member[row >> 6] & (1UL << row)) != 0;

    /// <summary>Adds <paramref name="row"/>; true if it was not in the set yet.</summary>
    public bool Add(int row)
    {
        ref ulong word = ref _member[row >> 6];
        ulong bit = 1UL << row; // the shift count is taken mod 64
        if ((word & bit) != 0) return false;
        word |= bit;
        if (Count == _rows.Length) Array.Resize(ref _rows, _rows.Length * 2);
        _rows[Count++] = row;
        return true;
    }

    /// <summary>Empties the set in time proportional to its size, not to the table's.</summary>
    public void Clear()
    {
        foreach (int row in Rows) _member[row >> 6] = 0;
        Count = 0;
    }
}
