using RocketNet.Autograd;
using RocketNet.Memory;
using RocketNet.Shapes;

namespace RocketNet;

/// <summary>
/// An n-dimensional array of float32 values in row-major contiguous storage that records the operations
/// applied to it so gradients can flow back (<see cref="Backward"/>). The PyTorch names apply:
/// <see cref="RequiresGrad"/>, <see cref="Grad"/>, <see cref="Detach"/>, <see cref="Item"/>.
/// </summary>
/// <remarks>
/// Storage lifetime: a tensor created inside a <see cref="TensorScope"/> borrows its storage from the
/// <see cref="BufferPool"/> and gives it back when the scope ends (reading it afterwards throws); a tensor
/// created outside any scope owns a plain array collected by the GC. Training loops open one scope per
/// step so a steady-state step allocates no tensor storage.
/// </remarks>
public sealed partial class Tensor
{
    /// <summary>
    /// Floats of slack in every array allocated for a tensor, so its values can start on a 64-byte line.
    /// </summary>
    private const int AlignmentSlack = 16;

    /// <summary>Persistent arrays this large (floats) go on the pinned heap, so their alignment never moves.</summary>
    private const int PinnedMinimum = 4096;

    private float[]? _data;
    private readonly int _offset; // where the values start in _data (64-byte aligned when allocated for this tensor)
    private readonly int[] _shape;
    private readonly bool _ownsStorage;
    private bool _requiresGrad;

    internal Tensor(int[] shape, float[] data, bool ownsStorage, int offset = 0)
    {
        _shape = shape;
        _data = data;
        _offset = offset;
        _ownsStorage = ownsStorage;
        Count = ShapeMath.ElementCount(shape);
        if (offset < 0 || data.Length - offset < Count)
            throw new ArgumentException(
                $"Storage holds {data.Length} floats from {offset} but shape {ShapeMath.Format(shape)} needs {Count}.");
        IsScoped = TensorScope.Track(this);
    }

    /// <summary>Dimensions, outermost first (e.g. <c>[N, C, H, W]</c>); empty for a scalar.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public int Count { get; }

    /// <summary>Size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Size(int axis) => _shape[ShapeMath.NormalizeAxis(axis, Rank, nameof(Size))];

    /// <summary>The values, row-major. Writing through this span bypasses autograd.</summary>
    /// <exception cref="ObjectDisposedException">The tensor's scope has ended and its storage was recycled.</exception>
    public Span<float> Data => new(Storage, _offset, Count);

    internal float[] Storage => _data ?? throw new ObjectDisposedException(nameof(Tensor),
        $"This {ShapeMath.Format(_shape)} tensor was created inside a TensorScope that has ended, so its storage was " +
        "recycled. Read what you need before the scope ends, or Clone() it outside the scope.");

    /// <summary>
    /// Whether gradients are computed for this tensor. Set it on leaves (parameters, inputs); results of
    /// operations require grad when any input does (outside <see cref="GradMode.NoGrad"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a tensor produced by an operation.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null)
                throw new InvalidOperationException(
                    "RequiresGrad can only be changed on leaf tensors; this one was produced by an " +
                    "operation. Use Detach() first.");
            _requiresGrad = value;
        }
    }

    /// <summary>
    /// Accumulated gradient of a leaf tensor after <see cref="Backward"/> (null before). Same shape as the tensor.
    /// After <see cref="ZeroGrad"/> it reads as zeros (the clearing happens on first access, or not at all when
    /// the next backward writes the whole gradient). A row-sparse gradient (<see cref="TryGetRowSparseGrad"/>) is
    /// made whole here: a table-sized buffer (created on first need) gets its rows, every other row zero.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            MaterializeGrad();
            return _grad;
        }
        set
        {
            _grad = value;
            _gradState = GradState.Dense;
        }
    }

    private Tensor? _grad;
    private GradState _gradState;

    /// <summary>What <see cref="_grad"/>'s values mean.</summary>
    private enum GradState
    {
        /// <summary>Every value is the gradient.</summary>
        Dense,

        /// <summary>ZeroGrad deferred: the values are logically zero but not yet cleared.</summary>
        Zero,

        /// <summary>
        /// The gradient is the rows packed in <see cref="_gradRows"/>, the rest zero; <see cref="_grad"/> (if any) is
        /// stale.
        /// </summary>
        RowSparse,
    }

    /// <summary>
    /// The gradient buffer for an op that writes the whole gradient when <paramref name="overwrite"/> comes back
    /// true: the gradient is logically zero after <see cref="ZeroGrad"/> (not cleared) or did not exist (created).
    /// </summary>
    internal Tensor GradForOverwrite(out bool overwrite)
    {
        if (_gradState == GradState.RowSparse) MaterializeGrad();
        overwrite = _gradState == GradState.Zero || _grad is null;
        _gradState = GradState.Dense;
        _grad ??= CreatePersistent(_shape.ToArray());
        return _grad;
    }

    /// <summary>True if the tensor was not produced by a recorded operation (a parameter or an input).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>The recorded operation that produced this tensor, or null for a leaf.</summary>
    internal Function? GradFn { get; private set; }

    /// <summary>Gradient buffer of a non-leaf tensor, alive only during backpropagation.</summary>
    internal float[]? PendingGrad { get; set; }

    /// <summary>
    /// Where the values of <see cref="PendingGrad"/> start (64-byte aligned when it was rented for this tensor).
    /// </summary>
    internal int PendingGradOffset { get; set; }

    /// <summary>The <see cref="Count"/> values of <see cref="PendingGrad"/>, which must be set.</summary>
    internal Span<float> PendingGradValues => PendingGrad.AsSpan(PendingGradOffset, Count);

    /// <summary>
    /// Rents <see cref="PendingGrad"/> (contents unspecified) with its values on a 64-byte line, as tensor storage.
    /// </summary>
    internal void RentPendingGrad()
    {
        PendingGrad = BufferPool.Rent(Count + AlignmentSlack, clear: false);
        PendingGradOffset = AlignedOffset(PendingGrad);
    }

    /// <summary>Stamp of the last topological sort that visited this tensor.</summary>
    internal int VisitStamp { get; set; }

    /// <summary>
    /// True if the storage belongs to a <see cref="TensorScope"/> and is recycled when it ends; such a
    /// tensor must not be kept as a parameter or any other long-lived state.
    /// </summary>
    public bool IsScoped { get; }

    /// <summary>The single value of a one-element tensor (e.g. a loss).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item()
    {
        if (Count != 1)
            throw new InvalidOperationException(
                $"Item() needs a one-element tensor, this one has shape {ShapeMath.Format(_shape)}.");
        return Storage[_offset];
    }

    /// <summary>A copy of the values, row-major.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>
    /// A tensor with the same values (shared storage) and no path back to this one: the gradient block
    /// ("stop-gradient") of Rocket Launching. Nothing flows through it in <see cref="Backward"/>.
    /// </summary>
    public Tensor Detach() => new(_shape, Storage, ownsStorage: false, _offset);

    /// <summary>A copy with its own storage (a leaf that does not require grad).</summary>
    public Tensor Clone()
    {
        var copy = Create(_shape, clear: false);
        Data.CopyTo(copy.Data);
        return copy;
    }

    /// <summary>Same as <see cref="Detach"/>: the value of <paramref name="x"/> as a constant for autograd.</summary>
    public static Tensor StopGradient(Tensor x) => x.Detach();

    /// <summary>Sets the producer of an operation's result; the result then requires grad.</summary>
    internal void SetGradFn(Function fn)
    {
        GradFn = fn;
        _requiresGrad = true;
    }

    /// <summary>
    /// Creates a tensor; storage comes from the pool inside a scope and from the GC heap otherwise. Its values
    /// start on a 64-byte boundary: every 16-float vector load of a row whose length is a multiple of 16 then
    /// stays within one cache line (a split load costs two; the 576-wide CTR weights served measurably slower
    /// unaligned). Arrays of 85 KB and more live on the large-object heap, which does not move them, so their
    /// alignment holds; a smaller one may lose it when the GC compacts (the offset stays valid, only slower).
    /// </summary>
    internal static Tensor Create(int[] shape, bool clear)
    {
        int count = ShapeMath.ElementCount(shape);
        bool pooled = TensorScope.IsActive;
        float[] data = pooled ? BufferPool.Rent(count + AlignmentSlack, clear) : new float[count + AlignmentSlack];
        return new Tensor(shape, data, ownsStorage: pooled, AlignedOffset(data));
    }

    /// <summary>Creates a GC-owned tensor that outlives any scope (leaf gradients, parameters).</summary>
    internal static Tensor CreatePersistent(int[] shape)
    {
        using var _ = TensorScope.Unscoped();
        float[] data = Allocate(ShapeMath.ElementCount(shape) + AlignmentSlack);
        return new Tensor(shape, data, ownsStorage: false, AlignedOffset(data));
    }

    private static float[] Allocate(int length) => GC.AllocateArray<float>(length, pinned: length >= PinnedMinimum);

    /// <summary>Index of the first element of <paramref name="data"/> on a 64-byte boundary (0-15).</summary>
    private static unsafe int AlignedOffset(float[] data)
    {
        if (data.Length == 0) return 0;
        // The address can only change for a small array on the ordinary heap; the offset stays valid either way.
        nint address = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(
            ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(data));
        return (int)((64 - (address & 63)) & 63) / sizeof(float);
    }

    /// <summary>A tensor sharing this tensor's storage with another shape of the same element count.</summary>
    internal Tensor ViewAs(int[] shape) => new(shape, Storage, ownsStorage: false, _offset);

    /// <summary>Called by the scope that created the tensor: recycle owned storage, invalidate the tensor.</summary>
    internal void ReleaseStorage()
    {
        if (_ownsStorage && _data is not null) BufferPool.Return(_data);
        _data = null;
        GradFn = null;
    }

    /// <summary>Shape and, for small tensors, values, for debugging.</summary>
    public override string ToString()
    {
        string shape = ShapeMath.Format(_shape);
        if (_data is null) return $"Tensor{shape} (released)";
        string values = Count <= 16 ? " {"
            + string.Join(", ", _data.Skip(_offset).Take(Count).Select(v => v.ToString("G6"))) + "}" : "";
        return $"Tensor{shape}{(GradFn is null ? "" : " grad_fn=" + GradFn.Name)}{values}";
    }
}
