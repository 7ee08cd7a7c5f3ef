namespace RocketNet.Training.Optim;

/// <summary>
/// Stochastic gradient descent with PyTorch's exact semantics (<c>torch.optim.SGD</c>, no dampening):
/// <code>
/// g ← g + wd·p
/// v ← g on the first step, μ·v + g afterwards        (only when μ ≠ 0)
/// d ← g + μ·v if nesterov, else v                    (d = g when μ = 0)
/// p ← p − lr·d
/// </code>
/// The paper's CIFAR setup is <c>new Sgd(parameters, 0.1, momentum: 0.9, weightDecay: 5e-4)</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string BufferKey = "momentum_buffer";
    private readonly float[]?[] _buffers;

    /// <summary>Creates the optimiser.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Momentum or weight decay is negative, or nesterov without
    /// momentum.</exception>
    public Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, bool nesterov = false,
        double weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (!double.IsFinite(momentum) || momentum < 0)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum,
                "Momentum must be finite and non-negative.");
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay,
                "Weight decay must be finite and non-negative.");
        if (nesterov && momentum == 0)
            throw new ArgumentOutOfRangeException(nameof(nesterov), "Nesterov momentum needs a positive momentum.");
        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _buffers = new float[]?[Parameters.Count];
    }

    private readonly ChunkedSgd _update = new();

    /// <summary>Momentum factor μ (0 = plain SGD).</summary>
    public double Momentum { get; }

    /// <summary>Whether the Nesterov form d = g + μ·v is used.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 weight decay added to the gradient (coupled, as in PyTorch's SGD).</summary>
    public double WeightDecay { get; }

    /// <summary>
    /// Drops every momentum buffer, as the reference code does by re-creating the optimiser at each LR drop.
    /// </summary>
    public void ResetMomentum() => ResetState();

    /// <inheritdoc/>
    public override void ResetState() => Array.Clear(_buffers);

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        float lr = (float)LearningRate, wd = (float)WeightDecay, mu = (float)Momentum;
        if (mu == 0)
        {
            _update.Run(parameter, gradient, default, lr, wd, 0, false, false);
            return;
        }
        bool first = _buffers[index] is null;
        var buffer = _buffers[index] ??= new float[parameter.Length];
        _update.Run(parameter, gradient, buffer, lr, wd, mu, Nesterov, first);
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, float[]> GetState() => State(copy: true);

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, float[]> ViewState() => State(copy: false);

    private Dictionary<string, float[]> State(bool copy)
    {
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < _buffers.Length; i++)
            if (_buffers[i] is { } b) state[$"{BufferKey}.{i}"] = copy ? (float[])b.Clone() : b;
        return state;
    }

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, float[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var loaded = new float[]?[_buffers.Length];
        foreach (var (key, values) in state)
        {
            if (!TryParseKey(key, BufferKey, out int i)) throw UnknownKey(key);
            RequireLength(key, values, i, Parameters[i].Count);
            loaded[i] = (float[])values.Clone();
        }
        loaded.CopyTo(_buffers, 0);
    }
}
