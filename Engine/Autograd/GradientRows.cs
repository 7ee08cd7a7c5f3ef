namespace RocketNet.Autograd;

/// <summary>
/// A row-sparse gradient of a [rows, width] table, kept compact: the rows that embedding scatters have written since
/// the last <see cref="Tensor.ZeroGrad"/>, in first-touch order, and their gradient rows packed one after another in
/// that order (slot s holds row <c>Rows[s]</c>), so the memory follows the rows a batch looked up, never the table's
/// height. A small open-addressing hash map finds a row's slot. Every buffer only grows and is reused, so once the
/// largest batch has been seen a training step allocates nothing.
/// </summary>
internal sealed class GradientRows
{
    private const int Empty = -1;

    private readonly int _width;
    private int[] _rows = new int[64];          // slot → table row
    private float[] _values;                    // [slot capacity × width]
    private int[] _slotOfPosition;              // hash map: position → slot, Empty where free; power-of-two length
    private int _shift;                         // 32 − log2(_slotOfPosition.Length), for Fibonacci hashing
    private int[] _slots = new int[64];         // scratch: the slot of each index of the last scatter

    /// <summary>Creates an empty set for a table whose rows are <paramref name="width"/> values wide.</summary>
    public GradientRows(int width)
    {
        _width = width;
        _values = new float[_rows.Length * width];
        _slotOfPosition = new int[2 * _rows.Length];
        _shift = 32 - System.Numerics.BitOperations.Log2((uint)_slotOfPosition.Length);
        Array.Fill(_slotOfPosition, Empty);
    }

    /// <summary>The rows added since the last <see cref="Clear"/>, first added first (slot s is row Rows[s]).</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    /// <summary>The gradient rows, [<see cref="Count"/> × width]: slot s is table row <c>Rows[s]</c>.</summary>
    public Span<float> Values => _values.AsSpan(0, Count * _width);

    /// <summary>How many distinct rows are in the set.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds every row of <paramref name="rowIndices"/> not yet in the set (its slot's values cleared) and returns the
    /// slot of each index, in order: <c>slots[i]</c> is where index i's gradient row goes in <see cref="Values"/>.
    /// The returned span is reused by the next call.
    /// </summary>
    public ReadOnlySpan<int> AddAll(ReadOnlySpan<int> rowIndices)
    {
        if (_slots.Length < rowIndices.Length) _slots = new int[Math.Max(rowIndices.Length, 2 * _slots.Length)];
        for (int i = 0; i < rowIndices.Length; i++) _slots[i] = Add(rowIndices[i]);
        return _slots.AsSpan(0, rowIndices.Length);
    }

    /// <summary>Empties the set in time proportional to its largest size so far, not to the table's height.</summary>
    public void Clear()
    {
        Array.Fill(_slotOfPosition, Empty);
        Count = 0;
    }

    // The slot of `row`, added with cleared values if it is new.
    private int Add(int row)
    {
        int mask = _slotOfPosition.Length - 1;
        int p = Position(row);
        while (true)
        {
            int slot = _slotOfPosition[p];
            if (slot == Empty) break;
            if (_rows[slot] == row) return slot;
            p = (p + 1) & mask;
        }
        if (Count == _rows.Length)
        {
            Grow();
            return Add(row);
        }
        int added = Count++;
        _rows[added] = row;
        _slotOfPosition[p] = added;
        _values.AsSpan(added * _width, _width).Clear();
        return added;
    }

    // Doubles the slots (keeping the values written so far) and rehashes into a map twice their number.
    private void Grow()
    {
        Array.Resize(ref _rows, 2 * _rows.Length);
        Array.Resize(ref _values, _rows.Length * _width);
        _slotOfPosition = new int[2 * _rows.Length];
        _shift = 32 - System.Numerics.BitOperations.Log2((uint)_slotOfPosition.Length);
        Array.Fill(_slotOfPosition, Empty);
        int mask = _slotOfPosition.Length - 1;
        for (int slot = 0; slot < Count; slot++)
        {
            int p = Position(_rows[slot]);
            while (_slotOfPosition[p] != Empty) p = (p + 1) & mask;
            _slotOfPosition[p] = slot;
        }
    }

    // Fibonacci hashing: the top bits of row × 2^32/φ, well spread even for rows that share their low bits.
    private int Position(int row) => (int)(unchecked((uint)row * 2654435769u) >> _shift);
}
