namespace RocketNet;

/// <summary>
/// A region (one training step, one batch of inference) whose tensors borrow pooled storage that is
/// recycled when the scope is disposed, so a repeated step allocates no tensor storage:
/// <code>
/// using (TensorScope.Begin())
/// {
///     var loss = Functional.CrossEntropy(model(x), labels);
///     loss.Backward();
///     total += loss.Item();        // read results before the scope ends
/// }
/// </code>
/// Tensors created in the scope must not be used after it ends (doing so throws). Parameters and their
/// gradients are created outside scopes and are unaffected. Scopes nest; each thread has its own.
/// </summary>
public readonly struct TensorScope : IDisposable
{
    [ThreadStatic] private static List<ScopeFrame>? _frames;
    [ThreadStatic] private static int _depth;
    [ThreadStatic] private static int _suspended;

    private readonly int _level;

    private TensorScope(int level) => _level = level;

    /// <summary>Opens a scope on the current thread. Dispose it (with <c>using</c>) to recycle its tensors.</summary>
    public static TensorScope Begin()
    {
        var frames = _frames ??= new List<ScopeFrame>();
        if (frames.Count == _depth) frames.Add(new ScopeFrame());
        _depth++;
        return new TensorScope(_depth);
    }

    /// <summary>True when tensors created now on this thread get pooled storage.</summary>
    internal static bool IsActive => _depth > 0 && _suspended == 0;

    /// <summary>Number of tensors the innermost scope currently tracks (for tests and diagnostics).</summary>
    public static int TrackedCount => _depth > 0 ? _frames![_depth - 1].Tensors.Count : 0;

    /// <summary>Ends the scope: every tensor created in it gives back its storage and becomes unusable.</summary>
    /// <exception cref="InvalidOperationException">Scopes were disposed out of order.</exception>
    public void Dispose()
    {
        if (_level == 0) return;
        if (_level != _depth)
            throw new InvalidOperationException(
                $"TensorScope disposed out of order: this is scope level {_level} but the innermost open " +
                $"scope is level {_depth}.");
        var frame = _frames![_depth - 1];
        _depth--;
        foreach (var t in frame.Tensors) t.ReleaseStorage();
        frame.Tensors.Clear(); // keeps its capacity, so the next step's scope does not allocate
    }

    /// <summary>Registers a new tensor with the innermost scope, if any; true if it was registered.</summary>
    internal static bool Track(Tensor t)
    {
        if (_depth == 0 || _suspended > 0) return false;
        _frames![_depth - 1].Tensors.Add(t);
        return true;
    }

    /// <summary>
    /// Until the returned token is disposed, tensors created on this thread are ordinary GC-owned tensors
    /// even inside a scope: use it to build parameters or state that must outlive the current step
    /// (<c>using (TensorScope.Unscoped()) model = Build();</c>).
    /// </summary>
    public static UnscopedToken Unscoped()
    {
        _suspended++;
        return default;
    }

    /// <summary>Ends an <see cref="Unscoped"/> region when disposed.</summary>
    public readonly struct UnscopedToken : IDisposable
    {
        /// <summary>Returns to scoped creation (if this was the outermost region).</summary>
        public void Dispose()
        {
            if (_suspended > 0) _suspended--;
        }
    }

    private sealed class ScopeFrame
    {
        public readonly List<Tensor> Tensors = new(256);
    }
}
