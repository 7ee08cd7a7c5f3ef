using RocketNet.Kernels;

namespace RocketNet.Training.Optim;

/// <summary>
/// Adam with PyTorch's exact semantics (<c>torch.optim.Adam</c>, amsgrad off), per parameter with its own
/// step count t:
/// <code>
/// g ← g + wd·p                        (Adam: coupled L2; AdamW instead decays p ← p·(1 − lr·wd) first)
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// The paper's SVHN setup is <c>new Adam(parameters, 1e-3)</c>.
/// </summary>
public class Adam : Optimizer
{
    private const string FirstMomentKey = "exp_avg", SecondMomentKey = "exp_avg_sq", StepKey = "step";
    private readonly float[]?[] _firstMoments, _secondMoments;
    private readonly long[] _steps;
    private readonly bool _decoupled;

    /// <summary>Creates Adam (weight decay, if any, is added to the gradient as in <c>torch.optim.Adam</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A β is outside [0, 1), ε is not positive, or weight decay is
    /// negative.</exception>
    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
        : this(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false)
    {
    }

    /// <summary>Shared constructor of Adam and AdamW.</summary>
    private protected Adam(IEnumerable<Tensor> parameters, double learningRate, double beta1, double beta2,
        double epsilon, double weightDecay, bool decoupled)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon > 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon,
            "epsilon must be positive.");
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay,
                "Weight decay must be finite and non-negative.");
        (Beta1, Beta2, Epsilon, WeightDecay, _decoupled) = (beta1, beta2, epsilon, weightDecay, decoupled);
        _firstMoments = new float[]?[Parameters.Count];
        _secondMoments = new float[]?[Parameters.Count];
        _steps = new long[Parameters.Count];
    }

    private readonly ChunkedAdam _update = new();

    /// <summary>Decay rate of the first-moment (mean) estimate.</summary>
    public double Beta1 { get; }

    /// <summary>Decay rate of the second-moment (uncentred variance) estimate.</summary>
    public double Beta2 { get; }

    /// <summary>Term added to the denominator for numerical stability.</summary>
    public double Epsilon { get; }

    /// <summary>Weight decay: coupled L2 for <see cref="Adam"/>, decoupled for <see cref="AdamW"/>.</summary>
    public double WeightDecay { get; }

    /// <summary>How many updates parameter <paramref name="index"/> has received (Adam's t).</summary>
    public long StepCount(int index) => _steps[index];

    /// <inheritdoc/>
    public override void ResetState()
    {
        Array.Clear(_firstMoments);
        Array.Clear(_secondMoments);
        Array.Clear(_steps);
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        var (m, v, arguments) = BeginUpdate(index, parameter.Length);
        _update.Run(parameter, gradient, m, v, arguments);
    }

    /// <summary>
    /// Counts one step of parameter <paramref name="index"/>; returns its moments and this step's constants.
    /// </summary>
    private protected (float[] M, float[] V, FusedUpdates.AdamArguments Arguments) BeginUpdate(int index, int length)
    {
        long t = ++_steps[index];
        var m = _firstMoments[index] ??= new float[length];
        var v = _secondMoments[index] ??= new float[length];
        double lr = LearningRate;
        // Bias corrections in double, as PyTorch computes them in Python floats.
        double correction1 = 1 - Math.Pow(Beta1, t), correction2 = 1 - Math.Pow(Beta2, t);
        var arguments = new FusedUpdates.AdamArguments(
            StepSize: (float)(lr / correction1),
            SqrtCorrection2: (float)Math.Sqrt(correction2),
            Beta1: (float)Beta1,
            Beta2: (float)Beta2,
            Epsilon: (float)Epsilon,
            CoupledDecay: _decoupled ? 0f : (float)WeightDecay,
            DecoupledFactor: _decoupled ? (float)(1 - lr * WeightDecay) : 1f);
        return (m, v, arguments);
    }

    /// <inheritdoc/>
    /// <remarks>Step counts are stored as one float each (exact up to 2²⁴ = 16,777,216 steps).</remarks>
    public override IReadOnlyDictionary<string, float[]> GetState() => State(copy: true);

    /// <inheritdoc/>
    /// <remarks>The moments are the optimiser's own arrays; the step counts are new one-element arrays.</remarks>
    public override IReadOnlyDictionary<string, float[]> ViewState() => State(copy: false);

    private Dictionary<string, float[]> State(bool copy)
    {
        var state = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < _steps.Length; i++)
        {
            if (_steps[i] == 0) continue;
            state[$"{StepKey}.{i}"] = [_steps[i]];
            state[$"{FirstMomentKey}.{i}"] = copy ? (float[])_firstMoments[i]!.Clone() : _firstMoments[i]!;
            state[$"{SecondMomentKey}.{i}"] = copy ? (float[])_secondMoments[i]!.Clone() : _secondMoments[i]!;
        }
        return state;
    }

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, float[]> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int n = _steps.Length;
        var steps = new long[n];
        var first = new float[]?[n];
        var second = new float[]?[n];
        foreach (var (key, values) in state)
        {
            if (TryParseKey(key, StepKey, out int i))
            {
                RequireLength(key, values, i, 1);
                if (!(values[0] >= 1) || values[0] != MathF.Floor(values[0]))
                    throw new ArgumentException(
                        $"Optimizer state '{key}' must be a positive whole step count, got {values[0]}.",
                        nameof(state));
                steps[i] = (long)values[0];
            }
            else if (TryParseKey(key, FirstMomentKey, out i))
            {
                RequireLength(key, values, i, Parameters[i].Count);
                first[i] = (float[])values.Clone();
            }
            else if (TryParseKey(key, SecondMomentKey, out i))
            {
                RequireLength(key, values, i, Parameters[i].Count);
                second[i] = (float[])values.Clone();
            }
            else throw UnknownKey(key);
        }
        for (int i = 0; i < n; i++)
        {
            bool any = steps[i] != 0 || first[i] is not null || second[i] is not null;
            if (any && (steps[i] == 0 || first[i] is null || second[i] is null))
                throw new ArgumentException(
                    $"Optimizer state for parameter {i} is incomplete: '{StepKey}', '{FirstMomentKey}' and " +
                    $"'{SecondMomentKey}' must all be given.", nameof(state));
        }
        steps.CopyTo(_steps, 0);
        first.CopyTo(_firstMoments, 0);
        second.CopyTo(_secondMoments, 0);
    }
}
