using RocketNet.Shapes;

namespace RocketNet.Training.Losses;

/// <summary>
/// Attention transfer (Zagoruyko &amp; Komodakis, ICLR 2017), the paper's "AT" baseline: the light net's
/// spatial attention maps are pulled toward those of a pre-trained, frozen teacher at the outputs of
/// matching stages (for Wide ResNets: the three groups). As in their reference code:
/// Q(A) = normalise_L2( mean_c A_c² ) flattened per sample, and
/// loss = β/2 · Σ_stages mean_{n, position} (Q(A_student) − Q(A_teacher))², with β = 1e3.
/// </summary>
public static class AttentionTransfer
{
    /// <summary>β of the reference code (1e3).</summary>
    public const float DefaultBeta = 1e3f;

    // Keeps the normalisation finite for an all-zero map (e.g. after a dead ReLU stack).
    private const float NormEpsilon = 1e-12f;

    /// <summary>
    /// Attention map of <paramref name="featureMap"/> [N, C, H, W]: [N, H·W], each row of unit L2 norm.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not 4-D.</exception>
    public static Tensor AttentionMap(Tensor featureMap)
    {
        ArgumentNullException.ThrowIfNull(featureMap);
        if (featureMap.Rank != 4)
            throw new ArgumentException(
                $"Attention maps need feature maps [N, C, H, W]; got shape {ShapeMath.Format(featureMap.Shape)}.",
                nameof(featureMap));
        int n = featureMap.Size(0), positions = featureMap.Size(2) * featureMap.Size(3);
        var energy = (featureMap * featureMap).Mean(1).Reshape(n, positions); // [N, H·W]
        var norm = ((energy * energy).Sum(1, keepDim: true) + NormEpsilon).Sqrt(); // [N, 1]
        return energy / norm;
    }

    /// <summary>
    /// β/2 · Σ_stages mean (Q_student − Q_teacher)². The teacher maps are treated as constants (detached here).
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or a pair of maps differs in N, H
    /// or W.</exception>
    public static Tensor Loss(IReadOnlyList<Tensor> student, IReadOnlyList<Tensor> teacher, float beta = DefaultBeta)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (student.Count == 0 || student.Count != teacher.Count)
            throw new ArgumentException(
                "Attention transfer needs the same positive number of student and teacher maps; got " +
                $"{student.Count} and {teacher.Count}.", nameof(teacher));
        if (!(beta >= 0) || !float.IsFinite(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be finite and non-negative.");
        Tensor? total = null;
        for (int s = 0; s < student.Count; s++)
        {
            var a = student[s];
            var b = teacher[s];
            if (a.Rank != 4 || b.Rank != 4 || a.Size(0) != b.Size(0) || a.Size(2) != b.Size(2)
                || a.Size(3) != b.Size(3))
                throw new ArgumentException(
                    $"Attention transfer stage {s}: student map {ShapeMath.Format(a.Shape)} and teacher map " +
                    $"{ShapeMath.Format(b.Shape)} must be [N, C, H, W] with the same N, H and W.", nameof(teacher));
            var difference = AttentionMap(a) - AttentionMap(Tensor.StopGradient(b));
            var stage = (difference * difference).Mean();
            total = total is null ? stage : total + stage;
        }
        return total! * (beta / 2);
    }
}
