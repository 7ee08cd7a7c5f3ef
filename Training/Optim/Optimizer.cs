namespace RocketNet.Training.Optim;

/// <summary>
/// Base of the gradient-descent optimisers, like <c>torch.optim.Optimizer</c> with one parameter group:
/// it holds a fixed list of parameter tensors and updates each from its <see cref="Tensor.Grad"/> in
/// <see cref="Step"/>. Parameters whose gradient is null (never reached by a backward pass) are skipped
/// and their state is left untouched, as PyTorch does.
/// </summary>
/// <remarks>
/// Per-parameter state (momentum buffers, Adam moments, step counts) is exposed by <see cref="GetState"/>
/// as named float arrays (e.g. <c>momentum_buffer.3</c> for parameter 3) so a checkpoint can resume a
/// run exactly; <see cref="LoadState"/> restores it into an optimiser built over the same parameters.
/// </remarks>
public abstract class Optimizer
{
    private readonly Tensor[] _parameters;
    private double _learningRate;

    /// <summary>
    /// Creates the optimiser over <paramref name="parameters"/> (each tensor once) with a learning rate.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor appears twice (it would be updated twice per step).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative or not finite.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i] is null) throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            if (!seen.Add(_parameters[i]))
                throw new ArgumentException($"Parameter {i} ({_parameters[i]}) is listed twice; give each tensor once.",
                    nameof(parameters));
        }
        LearningRate = learningRate;
    }

    /// <summary>The tensors this optimiser updates, in the order their state is numbered.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The learning rate used by the next <see cref="Step"/> (a schedule sets it before each step).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentOutOfRangeException(nameof(LearningRate), value,
                    "Learning rate must be finite and non-negative.");
            _learningRate = value;
        }
    }

    /// <summary>
    /// Sets every parameter's gradient to zero (keeping the buffers), like
    /// <c>optimizer.zero_grad(set_to_none=False)</c>.
    /// </summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.ZeroGrad();
    }

    /// <summary>Updates every parameter that has a gradient, in one fused pass per parameter.</summary>
    /// <exception cref="InvalidOperationException">A gradient's size differs from its parameter's.</exception>
    public void Step()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            // A table whose gradient only embedding lookups wrote: update just those rows, if this optimiser can.
            if (p.Rank == 2 && p.TryGetRowSparseGrad(out var rows, out var rowValues)
                && TryUpdateRows(i, p.Data, rowValues, rows, p.Size(1)))
                continue;
            if (p.Grad is not { } grad) continue;
            if (grad.Count != p.Count)
                throw new InvalidOperationException(
                    $"Parameter {i} has {p.Count} values but its gradient has {grad.Count}.");
            Update(i, p.Data, grad.Data);
        }
    }

    /// <summary>
    /// Forgets all per-parameter state (momentum, moments, step counts), as re-creating the optimiser would.
    /// </summary>
    public abstract void ResetState();

    /// <summary>Copies of the per-parameter state, by name, for a checkpoint.</summary>
    public abstract IReadOnlyDictionary<string, float[]> GetState();

    /// <summary>
    /// The per-parameter state by name, as <see cref="GetState"/> gives it but the optimiser's own arrays where it
    /// can, not copies: for writing a checkpoint at once without holding the state twice (LazyAdam's moments of 26 ×
    /// 10^6 embedding rows of 8 are 1.7 GB). Read it before the next <see cref="Step"/>, <see cref="ResetState"/> or
    /// <see cref="LoadState"/>, and never write to it. The default returns <see cref="GetState"/>'s copies.
    /// </summary>
    public virtual IReadOnlyDictionary<string, float[]> ViewState() => GetState();

    /// <summary>
    /// Restores state saved by <see cref="GetState"/> from an optimiser of the same kind over parameters of
    /// the same sizes. Entries absent from <paramref name="state"/> are reset (a buffer not yet created).
    /// </summary>
    /// <exception cref="ArgumentException">An entry has an unknown name or the wrong length.</exception>
    public abstract void LoadState(IReadOnlyDictionary<string, float[]> state);

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    /// <param name="index">Position of the parameter in <see cref="Parameters"/>.</param>
    /// <param name="parameter">The parameter's values (updated in place).</param>
    /// <param name="gradient">Its gradient, same length.</param>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient);

    /// <summary>
    /// Updates parameter <paramref name="index"/> [rows, <paramref name="width"/>] from a row-sparse gradient
    /// (<see cref="Tensor.TryGetRowSparseGrad"/>): <paramref name="gradient"/> is [rows.Length × width], its slot s
    /// the gradient of parameter row <paramref name="rows"/>[s]; every other row's gradient is zero. Returns false
    /// to decline, and the gradient is then made whole and passed to <see cref="Update"/> — the default, since most
    /// optimisers move every value even at zero gradient (momentum, Adam's moments, weight decay).
    /// </summary>
    protected virtual bool TryUpdateRows(int index, Span<float> parameter, ReadOnlySpan<float> gradient,
        ReadOnlySpan<int> rows, int width) => false;

    /// <summary>Parses a state key of the form <c>prefix.index</c>; false if it has another prefix.</summary>
    /// <exception cref="ArgumentException">The index is not a valid parameter position.</exception>
    protected bool TryParseKey(string key, string prefix, out int index)
    {
        index = -1;
        if (!key.StartsWith(prefix + ".", StringComparison.Ordinal)) return false;
        if (!int.TryParse(key.AsSpan(prefix.Length + 1), out index) || (uint)index >= (uint)_parameters.Length)
            throw new ArgumentException(
                $"Optimizer state key '{key}' does not name one of the {_parameters.Length} parameters.", nameof(key));
        return true;
    }

    /// <summary>Checks that a state array matches the size of parameter <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    protected void RequireLength(string key, float[] values, int index, int expected)
    {
        if (values.Length != expected)
            throw new ArgumentException(
                $"Optimizer state '{key}' has {values.Length} values but parameter {index} needs {expected}.",
                nameof(values));
    }

    /// <summary>An unknown-key error naming the key and the optimiser.</summary>
    protected ArgumentException UnknownKey(string key) =>
        new($"Optimizer state key '{key}' is not part of a {GetType().Name}'s state.", nameof(key));
}
