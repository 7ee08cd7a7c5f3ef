namespace RocketNet.SelfCheck;

/// <summary>
/// Random-direction gradient checks (HIPS autograd style) through the autograd engine on the current path: for a
/// small conv → batch norm → SiLU → average pool → linear net and L = Σ out ⊙ R with a fixed random R, the
/// directional derivative ⟨∇L, v⟩ from <see cref="Tensor.Backward"/> against the central difference
/// (L(θ + h·v) − L(θ − h·v)) / 2h, for a random direction v over every parameter and the input at once.
/// Step and tolerance as the unit tests' checker: h = 1e-2, agreement within 2 % plus 1e-3 of the scale.
/// </summary>
internal static class GradientChecks
{
    private const float Step = 1e-2f;

    /// <summary>Runs the checks at the current width, naming each with <paramref name="path"/>.</summary>
    public static void Run(CheckLog log, string path)
    {
        for (ulong seed = 1; seed <= 3; seed++) Check(log, path, seed);
    }

    private static void Check(CheckLog log, string path, ulong seed)
    {
        var random = new RandomGenerator(seed);
        Tensor x = Tensor.RandomNormal([2, 3, 8, 8], random);
        Tensor w1 = Tensor.RandomNormal([4, 3, 3, 3], random, std: 0.3f), b1 = Tensor.RandomNormal([4], random);
        Tensor gamma = Tensor.RandomUniform([4], random, 0.5f, 1.5f), beta = Tensor.RandomNormal([4], random);
        Tensor w2 = Tensor.RandomNormal([5, 64], random, std: 0.2f), b2 = Tensor.RandomNormal([5], random);
        Tensor r = Tensor.RandomNormal([2, 5], random);
        Tensor[] leaves = [x, w1, b1, gamma, beta, w2, b2];
        foreach (var leaf in leaves) leaf.RequiresGrad = true;

        float Loss()
        {
            Tensor runningMean = Tensor.Zeros(4), runningVar = Tensor.Zeros(4);
            Tensor h = Functional.Conv2d(x, w1, b1, stride: 1, padding: 1);
            h = Functional.BatchNorm(h, gamma, beta, runningMean, runningVar, training: true).Silu();
            h = Functional.AvgPool2d(h, 2).Reshape(2, 64);
            return (Functional.Linear(h, w2, b2) * r).Sum().Item();
        }

        Tensor runningMean0 = Tensor.Zeros(4), runningVar0 = Tensor.Zeros(4);
        Tensor hidden = Functional.Conv2d(x, w1, b1, stride: 1, padding: 1);
        hidden = Functional.BatchNorm(hidden, gamma, beta, runningMean0, runningVar0, training: true).Silu();
        hidden = Functional.AvgPool2d(hidden, 2).Reshape(2, 64);
        (Functional.Linear(hidden, w2, b2) * r).Sum().Backward();

        var direction = new RandomGenerator(seed + 100);
        var directions = leaves
            .Select(leaf => Tensor.RandomNormal(leaf.Shape.ToArray(), direction).ToArray()).ToArray();
        double analytic = 0;
        for (int i = 0; i < leaves.Length; i++)
        {
            float[] grad = leaves[i].Grad!.ToArray();
            for (int j = 0; j < grad.Length; j++) analytic += (double)grad[j] * directions[i][j];
        }

        double plus, minus;
        using (GradMode.NoGrad())
        {
            Shift(leaves, directions, Step);
            plus = Loss();
            Shift(leaves, directions, -2 * Step);
            minus = Loss();
            Shift(leaves, directions, Step);
        }
        double numeric = (plus - minus) / (2 * Step);
        double scale = Math.Max(1, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
        bool ok = Math.Abs(analytic - numeric) <= 2e-2 * scale + 1e-3 * scale;
        log.Record($"{path} gradient check (conv, batch norm, SiLU, pool, linear), seed {seed}", ok,
            $"directional derivative {analytic:0.0000} vs central difference {numeric:0.0000}");
    }

    private static void Shift(Tensor[] leaves, float[][] directions, float step)
    {
        for (int i = 0; i < leaves.Length; i++)
        {
            var values = leaves[i].Data;
            for (int j = 0; j < values.Length; j++) values[j] += step * directions[i][j];
        }
    }
}
