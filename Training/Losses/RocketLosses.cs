namespace RocketNet.Training.Losses;

/// <summary>
/// The objectives of Rocket Launching (paper Eq. 1) and its baselines, built from differentiable tensor
/// operations. Logits are [N, C]; labels are N class indices. Normalisations follow the authors'
/// reference code: the hint is summed over classes and averaged over the batch, and the teacher
/// KL divergence is averaged over batch × classes (PyTorch 0.2's <c>F.kl_div</c> default).
/// </summary>
public static class RocketLosses
{
    /// <summary>
    /// Logit hint Σ_batch Σ_class (z − l)² / N. <paramref name="target"/> is used as given (detach it for a gradient
    /// block).
    /// </summary>
    public static Tensor LogitMse(Tensor light, Tensor target)
    {
        RequireLogits(light, target, nameof(target));
        return Functional.MseLoss(light, target, Reduction.Sum) / light.Size(0);
    }

    /// <summary>Probability hint Σ_batch Σ_class (softmax(z) − softmax(l))² / N.</summary>
    public static Tensor ProbabilityMse(Tensor light, Tensor target)
    {
        RequireLogits(light, target, nameof(target));
        return Functional.MseLoss(light.Softmax(-1), target.Softmax(-1), Reduction.Sum) / light.Size(0);
    }

    /// <summary>Soft-target cross-entropy −Σ_class softmax(z/T)·log softmax(l/T), averaged over the batch.</summary>
    public static Tensor SoftTargetCrossEntropy(Tensor light, Tensor target, float temperature)
    {
        RequireLogits(light, target, nameof(target));
        var soft = (target / temperature).Softmax(-1);
        var logStudent = (light / temperature).LogSoftmax(-1);
        return -(soft * logStudent).Sum() / light.Size(0);
    }

    /// <summary>
    /// KL(softmax(t/T) ‖ softmax(s/T)) = Σ p_t (log p_t − log p_s), averaged over all N·C elements as the
    /// reference code's <c>F.kl_div</c> does. The teacher logits <paramref name="teacher"/> are treated as a
    /// constant (detached here).
    /// </summary>
    public static Tensor TeacherKl(Tensor student, Tensor teacher, float temperature)
    {
        RequireLogits(student, teacher, nameof(teacher));
        var scaledTeacher = Tensor.StopGradient(teacher) / temperature;
        var logTeacher = scaledTeacher.LogSoftmax(-1);
        var logStudent = (student / temperature).LogSoftmax(-1);
        return (logTeacher.Exp() * (logTeacher - logStudent)).Mean();
    }

    /// <summary>
    /// The unweighted hint of the chosen kind between light logits and (already blocked or not) booster logits.
    /// </summary>
    public static Tensor Hint(HintKind kind, Tensor light, Tensor booster, float temperature) => kind switch
    {
        HintKind.LogitMse => LogitMse(light, booster),
        HintKind.ProbabilityMse => ProbabilityMse(light, booster),
        HintKind.Kd => SoftTargetCrossEntropy(light, booster, temperature),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown hint kind."),
    };

    /// <summary>
    /// Paper Eq. 1: CE(z) + CE(l) + λ·hint(l, z), with z detached inside the hint when the gradient block is on
    /// (CE(z) still trains the booster).
    /// </summary>
    /// <param name="booster">Booster logits z [N, C].</param>
    /// <param name="light">Light logits l [N, C].</param>
    /// <param name="labels">N labels in [0, C).</param>
    /// <param name="options">Hint kind, λ, gradient block, T.</param>
    public static LossTerms Rocket(Tensor booster, Tensor light, int[] labels, LossOptions options)
    {
        options.Validate();
        RequireLogits(light, booster, nameof(booster));
        var boosterCe = Functional.CrossEntropy(booster, labels);
        var lightCe = Functional.CrossEntropy(light, labels);
        var target = options.GradientBlock ? Tensor.StopGradient(booster) : booster;
        var hint = Hint(options.Hint, light, target, options.Temperature) * options.Lambda;
        return new LossTerms(boosterCe + lightCe + hint, boosterCe, lightCe, hint, null);
    }

    /// <summary>
    /// Rocket + KD: <see cref="Rocket"/> plus 2αT²·KL(softmax(t/T) ‖ softmax(l/T)) from a frozen teacher's logits t.
    /// </summary>
    public static LossTerms RocketKd(Tensor booster, Tensor light, Tensor teacher, int[] labels, LossOptions options)
    {
        var rocket = Rocket(booster, light, labels, options);
        var distillation = TeacherKl(light, teacher, options.Temperature) * DistillationWeight(options);
        return rocket with { Total = rocket.Total + distillation, Distillation = distillation };
    }

    /// <summary>Hinton KD for the baseline: 2αT²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s).</summary>
    public static LossTerms HintonKd(Tensor student, Tensor teacher, int[] labels, LossOptions options)
    {
        options.Validate();
        var distillation = TeacherKl(student, teacher, options.Temperature) * DistillationWeight(options);
        var ce = Functional.CrossEntropy(student, labels) * (1 - options.Alpha);
        return new LossTerms(distillation + ce, null, ce, null, distillation);
    }

    /// <summary>
    /// The "no joint training" ablation's second phase: CE(l) + λ·hint(l, t) toward a frozen, pre-trained
    /// booster's logits t (detached).
    /// </summary>
    public static LossTerms FrozenBoosterHint(Tensor light, Tensor frozenBooster, int[] labels, LossOptions options)
    {
        options.Validate();
        var lightCe = Functional.CrossEntropy(light, labels);
        var hint = Hint(options.Hint, light, Tensor.StopGradient(frozenBooster), options.Temperature) * options.Lambda;
        return new LossTerms(lightCe + hint, null, lightCe, hint, null);
    }

    /// <summary>
    /// The attention-transfer baseline: CE(l) + β/2·Σ_stages mean (Q(light map) − Q(teacher map))²
    /// (see <see cref="AttentionTransfer"/>); the teacher maps are detached.
    /// </summary>
    public static LossTerms AttentionTransferLoss(Tensor light, IReadOnlyList<Tensor> lightMaps,
        IReadOnlyList<Tensor> teacherMaps, int[] labels, LossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var lightCe = Functional.CrossEntropy(light, labels);
        var transfer = AttentionTransfer.Loss(lightMaps, teacherMaps, options.AttentionBeta);
        return new LossTerms(lightCe + transfer, null, lightCe, null, transfer);
    }

    /// <summary>Cross-entropy alone (the Base and Booster methods).</summary>
    public static LossTerms CrossEntropyOnly(Tensor logits, int[] labels, bool isBooster)
    {
        var ce = Functional.CrossEntropy(logits, labels);
        return isBooster ? new LossTerms(ce, ce, null, null, null) : new LossTerms(ce, null, ce, null, null);
    }

    private static float DistillationWeight(LossOptions o) => 2 * o.Alpha * o.Temperature * o.Temperature;

    private static void RequireLogits(Tensor light, Tensor other, string otherName)
    {
        if (light.Rank != 2)
            throw new ArgumentException($"Logits must be [N, C], got rank {light.Rank} ({light}).", nameof(light));
        if (!light.Shape.SequenceEqual(other.Shape))
            throw new ArgumentException(
                $"Logits '{otherName}' have shape [{string.Join(", ", other.Shape.ToArray())}] but the light/student " +
                $"logits have [{string.Join(", ", light.Shape.ToArray())}]; they must match.",
                otherName);
        if (light.Size(0) == 0) throw new ArgumentException("Logits hold an empty batch.", nameof(light));
    }
}
