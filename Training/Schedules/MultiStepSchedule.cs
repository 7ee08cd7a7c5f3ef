namespace RocketNet.Training.Schedules;

/// <summary>
/// Step decay like PyTorch's <c>MultiStepLR</c>: lr(e) = base · γ^(number of milestones ≤ ⌊e⌋), so with
/// milestones [60, 120, 160] the rate drops when epoch 60 (0-based) begins, i.e. after 60 epochs at the
/// previous rate. A milestone listed twice drops twice (as PyTorch's counter does).
/// </summary>
public sealed class MultiStepSchedule : LearningRateSchedule
{
    /// <summary>The paper's CIFAR milestones for a 200-epoch run.</summary>
    public static readonly IReadOnlyList<int> PaperCifarMilestones = [60, 120, 160];

    /// <summary>The paper's SVHN milestones (Adam, ×0.2).</summary>
    public static readonly IReadOnlyList<int> PaperSvhnMilestones = [20, 40, 60];

    private readonly int[] _milestones;

    /// <summary>Creates the schedule.</summary>
    /// <param name="baseRate">Rate before the first milestone.</param>
    /// <param name="milestones">Epochs (0-based) at whose start the rate is multiplied by <paramref name="gamma"/>; any
    /// order.</param>
    /// <param name="gamma">Factor applied at each milestone (0.2 in the paper).</param>
    /// <param name="resetMomentumAtDrops">Whether <see cref="ResetsMomentumAt"/> signals a reset at each
    /// milestone.</param>
    /// <exception cref="ArgumentOutOfRangeException">A milestone is not positive, or γ is not in (0, 1].</exception>
    public MultiStepSchedule(double baseRate, IEnumerable<int> milestones, double gamma = 0.2,
        bool resetMomentumAtDrops = false)
    {
        BaseRate = RequireRate(baseRate, nameof(baseRate));
        _milestones = milestones.Order().ToArray();
        if (_milestones.Length > 0 && _milestones[0] < 1)
            throw new ArgumentOutOfRangeException(nameof(milestones), _milestones[0],
                "Milestones must be positive epochs.");
        if (!(gamma > 0 && gamma <= 1))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "Gamma must be in (0, 1].");
        Gamma = gamma;
        ResetMomentumAtDrops = resetMomentumAtDrops;
    }

    /// <summary>
    /// The paper's 200-epoch shape (×<paramref name="gamma"/> at 60/120/160) compressed into
    /// <paramref name="epochs"/> epochs: see <see cref="ScaleMilestones"/>.
    /// </summary>
    public static MultiStepSchedule PaperCifar(int epochs, double baseRate = 0.1, double gamma = 0.2,
        bool resetMomentumAtDrops = true) =>
        new(baseRate, ScaleMilestones(PaperCifarMilestones, 200, epochs), gamma, resetMomentumAtDrops);

    /// <summary>
    /// Scales milestones planned for <paramref name="plannedEpochs"/> to a run of <paramref name="epochs"/>:
    /// m → round(m · epochs / plannedEpochs), at least 1. Milestones that land on the same epoch are kept
    /// (the rate then drops by γ once per milestone there); milestones at or past the end are dropped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An epoch count is not positive.</exception>
    public static int[] ScaleMilestones(IEnumerable<int> milestones, int plannedEpochs, int epochs)
    {
        if (plannedEpochs < 1) throw new ArgumentOutOfRangeException(nameof(plannedEpochs), plannedEpochs,
            "Planned epochs must be positive.");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Epochs must be positive.");
        return milestones
            .Select(m =>
                Math.Max(1, (int)Math.Round((double)m * epochs / plannedEpochs, MidpointRounding.AwayFromZero)))
            .Where(m => m < epochs)
            .Order()
            .ToArray();
    }

    /// <summary>Rate before the first milestone.</summary>
    public double BaseRate { get; }

    /// <summary>Multiplicative drop at each milestone.</summary>
    public double Gamma { get; }

    /// <summary>The milestones, sorted.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <summary>Whether each drop also signals a momentum reset.</summary>
    public bool ResetMomentumAtDrops { get; }

    /// <inheritdoc/>
    public override bool ResetsMomentumAt(int epoch) => ResetMomentumAtDrops && Array.IndexOf(_milestones, epoch) >= 0;

    /// <inheritdoc/>
    protected override double Evaluate(double epoch)
    {
        int whole = (int)Math.Min(Math.Floor(epoch), int.MaxValue);
        int drops = 0;
        while (drops < _milestones.Length && _milestones[drops] <= whole) drops++;
        return BaseRate * Math.Pow(Gamma, drops);
    }
}
