namespace RocketNet.Autograd;

/// <summary>
/// A recorded operation: the node of the autograd graph that produced a tensor. Each op is a sealed
/// subclass holding its forward (a static method that computes the result and records the node) and its
/// <see cref="Backward"/> side by side.
/// <para>
/// The rule every backward keeps: an input's gradient ends up as the SUM of what every use contributed, so a
/// tensor used twice receives both contributions. The plain way is <see cref="GradSink"/>: add into it
/// (<c>+=</c>). Three helpers reach the same sum with less memory traffic, for the first contributor, whose
/// buffer would otherwise be cleared and then added to:
/// <list type="bullet">
/// <item><see cref="GradSinkForOverwrite"/>: the op writes (<c>=</c>) when it is first, adds otherwise.</item>
/// <item><see cref="PassGradient"/>: an input of dy's shape with derivative 1 (an add): dy copied when first, added
/// otherwise.</item>
/// <item><see cref="HandOverGradient"/>: the same case without even the copy: dy's buffer becomes the input's
/// gradient.</item>
/// </list>
/// <see cref="GradSinkForRows"/> is <see cref="GradSink"/> for an op that adds into a few rows of a large table.
/// A new op can use <see cref="GradSink"/> alone; the others are optimisations with the same result.
/// </para>
/// </summary>
public abstract class Function
{
    private Tensor[] _inputs;

    /// <summary>Records the inputs whose gradients this node produces.</summary>
    protected Function(params Tensor[] inputs) => _inputs = inputs;

    /// <summary>Short op name for messages (e.g. "MatMul").</summary>
    public abstract string Name { get; }

    /// <summary>The tensors this op read, in order.</summary>
    internal ReadOnlySpan<Tensor> Inputs => _inputs;

    /// <summary>True once <see cref="Release"/> has dropped what backward needs.</summary>
    internal bool IsReleased { get; private set; }

    /// <summary>
    /// Given dL/d(output) (<paramref name="gradOutput"/>, same shape as <paramref name="output"/>), adds
    /// dL/d(input) into <see cref="GradSink"/> of every input that requires grad.
    /// </summary>
    protected internal abstract void Backward(Tensor output, ReadOnlySpan<float> gradOutput);

    /// <summary>
    /// The buffer to accumulate an input's gradient into, or an empty span if that input does not need
    /// one (so ops skip work for constants and detached tensors).
    /// </summary>
    protected static Span<float> GradSink(Tensor input) => Backpropagation.GradientBuffer(input);

    /// <summary>
    /// As <see cref="GradSink"/> for an op that will write the input's whole gradient when
    /// <paramref name="overwrite"/> comes back true (nothing accumulated into it yet, buffer not cleared), and add
    /// to it otherwise. Ask for each input right before writing it: the same tensor may be several inputs.
    /// </summary>
    protected static Span<float> GradSinkForOverwrite(Tensor input, out bool overwrite) =>
        Backpropagation.GradientBufferForOverwrite(input, out overwrite);

    /// <summary>
    /// As <see cref="GradSink"/> for an op that adds only into rows <paramref name="rows"/> of a [rows, width] input
    /// (an embedding lookup's backward): add index i's gradient into row <paramref name="slots"/>[i] of the returned
    /// buffer, and into no other row. For a parameter the gradient stays row-sparse and compact: the buffer holds only
    /// the rows looked up since <see cref="Tensor.ZeroGrad"/>, packed (<see cref="Tensor.TryGetRowSparseGrad"/>);
    /// otherwise it is the whole gradient and the slots are the rows themselves. The slots are valid until the next
    /// call.
    /// </summary>
    protected static Span<float> GradSinkForRows(Tensor input, ReadOnlySpan<int> rows, out ReadOnlySpan<int> slots)
    {
        if (input.RequiresGrad && input.IsLeaf) return input.GradForRowScatter(rows, out slots);
        slots = rows;
        return GradSink(input);
    }

    /// <summary>
    /// input.grad += dy for an input of dy's own shape (d output / d input = 1: a residual or an add): dy is copied
    /// when nothing has reached the input's gradient yet, added otherwise.
    /// </summary>
    protected static void PassGradient(Tensor input, ReadOnlySpan<float> dy)
    {
        var sink = GradSinkForOverwrite(input, out bool overwrite);
        if (sink.IsEmpty) return;
        if (overwrite) Kernels.ElementwiseKernels.Copy(dy, sink);
        else Kernels.ElementwiseKernels.Add(sink, dy, sink);
    }

    /// <summary>
    /// Gives <paramref name="output"/>'s gradient (the dy this Backward was called with) to <paramref name="input"/>
    /// as its whole gradient when nothing has reached input yet — a residual's dL/dr = dL/dy without copying 8 MB.
    /// True if handed over; otherwise write input's gradient the usual way. input must not be another input of this
    /// op that the same Backward writes through a sink.
    /// </summary>
    protected static bool HandOverGradient(Tensor output, Tensor input) =>
        Backpropagation.HandOverGradient(output, input);

    /// <summary>Frees what backward needed (saved tensors, the inputs); further backward calls fail clearly.</summary>
    internal void Release()
    {
        IsReleased = true;
        _inputs = [];
        ReleaseSaved();
    }

    /// <summary>Drops op-specific saved state (pooled buffers); called once by <see cref="Release"/>.</summary>
    protected virtual void ReleaseSaved() { }

    /// <summary>True when the result of an op on these inputs should record a node.</summary>
    protected static bool ShouldRecord(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    /// <inheritdoc cref="ShouldRecord(Tensor)"/>
    protected static bool ShouldRecord(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);
}
