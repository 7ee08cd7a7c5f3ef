using RocketNet.Training.Data;
using RocketNet.Training.Losses;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;
using Xunit;

namespace RocketNet.Tests.Training;

/// <summary>Pins the paper's objective (Eq. 1), the gradient block and the distillation variants.</summary>
public class RocketSemanticsTests
{
    // z: booster logits, l: light logits, N = 2 samples, C = 3 classes.
    private static readonly float[] Z = [1f, 2f, 0.5f, 0f, -1f, 1f];
    private static readonly float[] L = [0.5f, 1f, 1f, 0.2f, 0.1f, -0.3f];
    private static readonly int[] Labels = [1, 2];

    private static double CrossEntropy(float[] logits, int[] labels)
    {
        double total = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double sum = 0;
            for (int c = 0; c < 3; c++) sum += Math.Exp(logits[i * 3 + c]);
            total += Math.Log(sum) - logits[i * 3 + labels[i]];
        }
        return total / labels.Length;
    }

    private static double[] Softmax(float[] logits, int row, double temperature = 1)
    {
        var e = new double[3];
        for (int c = 0; c < 3; c++) e[c] = Math.Exp(logits[row * 3 + c] / temperature);
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    [Fact]
    public void TotalLossEqualsTheHandComputedEquationOne()
    {
        // Σ(z − l)²: row 0: 0.25 + 1 + 0.25 = 1.5; row 1: 0.04 + 1.21 + 1.69 = 2.94; /N = 2.22; ×0.03 = 0.0666.
        double expected = CrossEntropy(Z, Labels) + CrossEntropy(L, Labels) + 0.0666;
        var z = Tensor.FromArray(Z, 2, 3).WithGrad();
        var l = Tensor.FromArray(L, 2, 3).WithGrad();
        var terms = RocketLosses.Rocket(z, l, Labels, new LossOptions());
        Assert.Equal(expected, terms.Total.Item(), 5);
        Assert.Equal(0.0666, terms.Hint!.Item(), 6);
        var v = terms.Values();
        Assert.Equal(v.Total, v.BoosterCrossEntropy + v.LightCrossEntropy + v.Hint, 5);
    }

    [Fact]
    public void GradientBlockLeavesTheBoosterLogitsOnlyTheirCrossEntropyGradient()
    {
        var z = Tensor.FromArray(Z, 2, 3).WithGrad();
        var l = Tensor.FromArray(L, 2, 3).WithGrad();
        RocketLosses.Rocket(z, l, Labels, new LossOptions()).Total.Backward();
        for (int i = 0; i < 2; i++)
        {
            double[] q = Softmax(Z, i), p = Softmax(L, i);
            for (int c = 0; c < 3; c++)
            {
                double onehot = c == Labels[i] ? 1 : 0;
                // dL/dz = (q − y)/N only; dL/dl = (p − y)/N + λ·2(l − z)/N.
                Assert.Equal((q[c] - onehot) / 2, z.Grad!.Data[i * 3 + c], 6);
                Assert.Equal((p[c] - onehot) / 2 + 0.03 * (L[i * 3 + c] - Z[i * 3 + c]), l.Grad!.Data[i * 3 + c], 6);
            }
        }
    }

    // A fresh tensor per call: a static one created inside some test's scope would be recycled with it.
    private static Tensor Input() => Tensor.FromArray(
        [0.3f, -1.2f, 0.8f, 0.5f, /**/ -0.7f, 0.4f, 1.1f, -0.2f, /**/ 1.5f, 0.1f, -0.6f, 0.9f], 3, 4);

    private static readonly int[] InputLabels = [0, 2, 1];

    private static void ClearGrads(TinyPair pair)
    {
        foreach (var p in pair.Parameters()) p.Grad = null;
    }

    private static bool AllZero(Tensor? grad) => grad is null || grad.ToArray().All(v => v == 0f);

    [Fact]
    public void WithGradientBlockTheHintPutsExactlyZeroGradientOnBoosterOnlyParameters()
    {
        var pair = new TinyPair(4, 3, seed: 5);
        using var scope = TensorScope.Begin();
        var (z, l) = pair.ForwardPair(Input());
        RocketLosses.Rocket(z, l, InputLabels, new LossOptions { Lambda = 0.5f }).Hint!.Backward();
        Assert.NotEmpty(pair.BoosterOnlyParameters());
        Assert.All(pair.BoosterOnlyParameters(),
            p => Assert.True(AllZero(p.Grad), "a booster-only parameter got hint gradient"));
        Assert.All(pair.LightOnlyParameters(), p => Assert.False(AllZero(p.Grad)));
        Assert.All(pair.SharedParameters(), p => Assert.False(AllZero(p.Grad)));
    }

    [Fact]
    public void WithGradientBlockSharedParametersGetTheHintOnlyThroughTheLightPath()
    {
        var pair = new TinyPair(4, 3, seed: 6);
        var options = new LossOptions { Lambda = 0.5f };
        float[][] blocked, manual;
        using (TensorScope.Begin())
        {
            var (z, l) = pair.ForwardPair(Input());
            RocketLosses.Rocket(z, l, InputLabels, options).Hint!.Backward();
            blocked = pair.SharedParameters().Select(p => p.Grad!.ToArray()).ToArray();
        }
        ClearGrads(pair);
        using (TensorScope.Begin())
        {
            // Manual: booster logits computed with autograd off (a constant), then the hint through l alone.
            Tensor zConstant;
            using (GradMode.NoGrad()) zConstant = pair.Booster.Forward(Input());
            var l = pair.Light.Forward(Input());
            (RocketLosses.LogitMse(l, zConstant) * options.Lambda).Backward();
            manual = pair.SharedParameters().Select(p => p.Grad!.ToArray()).ToArray();
        }
        for (int k = 0; k < manual.Length; k++)
            for (int i = 0; i < manual[k].Length; i++)
                Assert.Equal(manual[k][i], blocked[k][i], 6);
    }

    [Fact]
    public void WithoutGradientBlockBoosterOnlyParametersReceiveHintGradient()
    {
        var pair = new TinyPair(4, 3, seed: 5);
        float[][] blockedShared;
        using (TensorScope.Begin())
        {
            var (z, l) = pair.ForwardPair(Input());
            RocketLosses.Rocket(z, l, InputLabels, new LossOptions { Lambda = 0.5f }).Hint!.Backward();
            blockedShared = pair.SharedParameters().Select(p => p.Grad!.ToArray()).ToArray();
        }
        ClearGrads(pair);
        using (TensorScope.Begin())
        {
            var (z, l) = pair.ForwardPair(Input());
            RocketLosses.Rocket(z, l, InputLabels,
                new LossOptions { Lambda = 0.5f, GradientBlock = false }).Hint!.Backward();
        }
        Assert.All(pair.BoosterOnlyParameters(),
            p => Assert.False(AllZero(p.Grad), "booster-only parameter got no hint gradient"));
        // Shared parameters now also get the hint through z, so their gradient changes.
        var openShared = pair.SharedParameters().Select(p => p.Grad!.ToArray()).ToArray();
        Assert.Contains(Enumerable.Range(0, openShared.Length), k => !openShared[k].SequenceEqual(blockedShared[k]));
    }

    [Fact]
    public void RocketKdAddsTheTeacherKlAveragedOverBatchAndClasses()
    {
        float[] t = [2f, 0f, -1f, 0.5f, 0.5f, 3f];
        const double alpha = 0.9, temperature = 4;
        double kl = 0;
        for (int i = 0; i < 2; i++)
        {
            double[] pt = Softmax(t, i, temperature), pl = Softmax(L, i, temperature);
            for (int c = 0; c < 3; c++) kl += pt[c] * (Math.Log(pt[c]) - Math.Log(pl[c]));
        }
        double distillation = 2 * alpha * temperature * temperature * kl / 6; // mean over N × C = 6
        double expected = CrossEntropy(Z, Labels) + CrossEntropy(L, Labels) + 0.0666 + distillation;
        var terms = RocketLosses.RocketKd(Tensor.FromArray(Z, 2, 3), Tensor.FromArray(L, 2, 3),
            Tensor.FromArray(t, 2, 3), Labels, new LossOptions());
        Assert.Equal(distillation, terms.Distillation!.Item(), 6);
        Assert.Equal(expected, terms.Total.Item(), 5);
    }

    [Fact]
    public void HintonKdIsWeightedKlPlusWeightedCrossEntropy()
    {
        float[] t = [2f, 0f, -1f, 0.5f, 0.5f, 3f];
        const double alpha = 0.7, temperature = 2;
        double kl = 0;
        for (int i = 0; i < 2; i++)
        {
            double[] pt = Softmax(t, i, temperature), pl = Softmax(L, i, temperature);
            for (int c = 0; c < 3; c++) kl += pt[c] * (Math.Log(pt[c]) - Math.Log(pl[c]));
        }
        double expected = 2 * alpha * temperature * temperature * kl / 6 + (1 - alpha) * CrossEntropy(L, Labels);
        var student = Tensor.FromArray(L, 2, 3).WithGrad();
        var teacher = Tensor.FromArray(t, 2, 3).WithGrad();
        var terms = RocketLosses.HintonKd(student, teacher, Labels, new LossOptions { Alpha = 0.7f, Temperature = 2 });
        Assert.Equal(expected, terms.Total.Item(), 5);
        terms.Total.Backward();
        Assert.Null(teacher.Grad); // the teacher is frozen
    }

    [Fact]
    public void AlternativeHintsMatchHandValues()
    {
        double probabilityMse = 0, softCrossEntropy = 0;
        for (int i = 0; i < 2; i++)
        {
            double[] q = Softmax(Z, i), p = Softmax(L, i), qT = Softmax(Z, i, 4), pT = Softmax(L, i, 4);
            for (int c = 0; c < 3; c++)
            {
                probabilityMse += (q[c] - p[c]) * (q[c] - p[c]);
                softCrossEntropy -= qT[c] * Math.Log(pT[c]);
            }
        }
        var z = Tensor.FromArray(Z, 2, 3);
        var l = Tensor.FromArray(L, 2, 3);
        Assert.Equal(probabilityMse / 2, RocketLosses.Hint(HintKind.ProbabilityMse, l, z, 4).Item(), 6);
        Assert.Equal(softCrossEntropy / 2, RocketLosses.Hint(HintKind.Kd, l, z, 4).Item(), 5);
        Assert.Equal(2.22, RocketLosses.Hint(HintKind.LogitMse, l, z, 4).Item(), 5);
    }

    [Fact]
    public void LossesRejectMismatchedLogits()
    {
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(2, 4);
        Assert.Contains("must match",
            Assert.Throws<ArgumentException>(() => RocketLosses.Rocket(b, a, [0, 1], new LossOptions())).Message);
        Assert.Throws<ArgumentException>(() => RocketLosses.LogitMse(Tensor.Zeros(6), Tensor.Zeros(6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RocketLosses.Rocket(a, a, [0, 1],
            new LossOptions { Lambda = -1 }));
    }

    private static (RocketTrainer Trainer, BatchLoader Batches, TinyPair Pair) MakeRun(TrainingMethod method,
        ulong seed, int epochs)
    {
        var pair = new TinyPair(4, 3, seed);
        var data = TrainingData.Separable(96, seed: 3);
        var optimizer = new Sgd(RocketTrainer.TrainableParameters(pair, method), 0.1, momentum: 0.9, weightDecay: 5e-4);
        var trainer = new RocketTrainer(pair, optimizer, MultiStepSchedule.PaperCifar(epochs),
            new TrainerOptions { Method = method, Epochs = epochs });
        return (trainer, new BatchLoader(data, 16, seed: 9), pair);
    }

    [Fact]
    public void RocketTrainingReducesTheLossOnASeparableProblem()
    {
        var (trainer, batches, _) = MakeRun(TrainingMethod.Rocket, seed: 21, epochs: 8);
        var records = trainer.Fit(batches, TrainingData.Separable(60, seed: 4));
        Assert.True(records[^1].TrainLoss.Total < 0.5 * records[0].TrainLoss.Total,
            $"loss went from {records[0].TrainLoss.Total} to {records[^1].TrainLoss.Total}");
        Assert.True(records[^1].Validation!.Value.Light.Accuracy > 0.9);
        Assert.True(records[^1].Validation!.Value.Booster.Accuracy > 0.9);
    }

    [Fact]
    public void TwoRunsWithTheSameSeedGiveIdenticalParameters()
    {
        var (first, batchesA, pairA) = MakeRun(TrainingMethod.Rocket, seed: 22, epochs: 3);
        var (second, batchesB, pairB) = MakeRun(TrainingMethod.Rocket, seed: 22, epochs: 3);
        first.Fit(batchesA);
        second.Fit(batchesB);
        var a = pairA.Parameters().ToArray();
        var b = pairB.Parameters().ToArray();
        for (int k = 0; k < a.Length; k++) Assert.Equal(a[k].ToArray(), b[k].ToArray());
        var (third, batchesC, pairC) = MakeRun(TrainingMethod.Rocket, seed: 23, epochs: 3);
        third.Fit(batchesC);
        Assert.NotEqual(a[0].ToArray(), pairC.Parameters().First().ToArray());
    }
}
