using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Training.Losses;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;
using Xunit;

namespace RocketNet.Tests.Training;

public class AttentionTransferTests
{
    private static Gen<(int N, int C, int H, int W, int Seed)> MapCases =>
        from n in Gen.Choose(1, 3)
        from c in Gen.Choose(1, 4)
        from h in Gen.Choose(1, 4)
        from w in Gen.Choose(1, 4)
        from seed in TestData.Seed
        select (n, c, h, w, seed);

    // Q = normalise(mean_c A²) computed element by element, for comparison with the tensor version.
    private static double[] ReferenceMap(float[] a, int n, int c, int positions)
    {
        var q = new double[n * positions];
        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            for (int p = 0; p < positions; p++)
            {
                double e = 0;
                for (int k = 0; k < c; k++) e += Math.Pow(a[(i * c + k) * positions + p], 2);
                q[i * positions + p] = e / c;
                norm += Math.Pow(e / c, 2);
            }
            for (int p = 0; p < positions; p++) q[i * positions + p] /= Math.Sqrt(norm + 1e-12);
        }
        return q;
    }

    [Property(MaxTest = 30)]
    public Property LossMatchesTheDefinitionAndItsGradientChecks() =>
        TestData.ForAll(MapCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var student = TestData.Uniform([c.N, c.C, c.H, c.W], rng, -2, 2);
            var teacher = TestData.Uniform([c.N, c.C + 1, c.H, c.W], rng, -2, 2); // channel counts may differ
            int positions = c.H * c.W;
            var qs = ReferenceMap(student.ToArray(), c.N, c.C, positions);
            var qt = ReferenceMap(teacher.ToArray(), c.N, c.C + 1, positions);
            double expected = 0;
            for (int i = 0; i < qs.Length; i++) expected += Math.Pow(qs[i] - qt[i], 2);
            expected = expected / qs.Length * 500; // β/2 with β = 1e3, mean over N·H·W
            float actual = AttentionTransfer.Loss([student], [teacher]).Item();
            if (Math.Abs(actual - expected) > 1e-3 * Math.Max(1, Math.Abs(expected)))
                throw new Exception($"AT loss = {actual}, expected {expected}");
            GradientCheck.Assert(t => AttentionTransfer.Loss([t[0]], [teacher], beta: 10), [student], (ulong)c.Seed,
                what: $"AttentionTransfer [{c.N}, {c.C}, {c.H}, {c.W}]");
        });

    [Fact]
    public void SameMapsGiveZeroAndTheTeacherGetsNoGradient()
    {
        var rng = new RandomGenerator(3);
        var student = TestData.Uniform([2, 3, 4, 4], rng, -1, 1);
        student.RequiresGrad = true;
        var teacher = student.Detach() * 3f; // same attention after normalisation
        teacher.RequiresGrad = true;
        var loss = AttentionTransfer.Loss([student], [teacher]);
        Assert.True(loss.Item() < 1e-6f, $"loss {loss.Item()}");
        var other = TestData.Uniform([2, 3, 4, 4], rng, -1, 1);
        AttentionTransfer.Loss([student], [other * teacher]).Backward();
        Assert.NotNull(student.Grad);
        Assert.Null(teacher.Grad);
    }

    [Fact]
    public void MismatchedMapsAreRejected()
    {
        var a = Tensor.Zeros(2, 3, 4, 4);
        Assert.Contains("same N, H and W",
            Assert.Throws<ArgumentException>(() => AttentionTransfer.Loss([a], [Tensor.Zeros(2, 3, 2, 2)])).Message);
        Assert.Contains("same positive number",
            Assert.Throws<ArgumentException>(() => AttentionTransfer.Loss([a], [])).Message);
        Assert.Contains("[N, C, H, W]",
            Assert.Throws<ArgumentException>(() => AttentionTransfer.AttentionMap(Tensor.Zeros(2, 3))).Message);
    }

    [Fact]
    public void WideResNetFeatureMapsAreTheGroupOutputs()
    {
        var net = WideResNet.Create(10, 1, 10, new RandomGenerator(2));
        net.Eval();
        var x = TestData.Uniform([2, 3, 16, 16], new RandomGenerator(3), -1, 1);
        var (logits, maps) = net.ForwardWithFeatureMaps(x);
        Assert.Equal(net.Forward(x).ToArray(), logits.ToArray());
        Assert.Equal(3, maps.Count);
        Assert.Equal([2, 16, 16, 16], maps[0].Shape.ToArray());
        Assert.Equal([2, 32, 8, 8], maps[1].Shape.ToArray());
        Assert.Equal([2, 64, 4, 4], maps[2].Shape.ToArray());
    }

    [Fact]
    public void TrainerAttentionTransferTrainsTheLightNetAgainstAFrozenTeacher()
    {
        var images = TestData.Uniform([16, 3, 8, 8], new RandomGenerator(4), 0, 1).ToArray();
        var data = new Dataset("tiny-images", images,
            Enumerable.Range(0, 16).Select(i => i % 10).ToArray(), [3, 8, 8], 10);
        var teacherPair = WideResNetPair.Interval(1, 10, new RandomGenerator(5), boosterDepth: 16, lightDepth: 10);
        var teacher = teacherPair.Booster;
        var teacherValues = teacher.Parameters().Select(p => p.ToArray()).ToArray();
        var pair = WideResNetPair.Interval(1, 10, new RandomGenerator(6), boosterDepth: 16, lightDepth: 10);
        var boosterOnly = pair.BoosterOnlyParameters().Select(p => p.ToArray()).ToArray();
        var lightOnly = pair.LightOnlyParameters().Select(p => p.ToArray()).ToArray();
        var trainer =
            new RocketTrainer(pair, new Sgd(RocketTrainer.TrainableParameters(pair, TrainingMethod.AttentionTransfer),
            0.05, momentum: 0.9),
            new ConstantSchedule(0.05), new TrainerOptions
            {
                Method = TrainingMethod.AttentionTransfer,
                Teacher = teacher
            });
        var record = trainer.RunEpoch(0, new BatchLoader(data, 8, seed: 1));
        Assert.True(record.TrainLoss.Distillation > 0);
        Assert.True(teacher.Parameters().Select(p => p.ToArray()).Zip(teacherValues).All(
            t => t.First.SequenceEqual(t.Second)), "the teacher changed");
        Assert.True(pair.BoosterOnlyParameters().Select(p => p.ToArray()).Zip(boosterOnly).All(
            t => t.First.SequenceEqual(t.Second)), "booster-only parameters changed");
        Assert.False(pair.LightOnlyParameters().Select(p => p.ToArray()).Zip(lightOnly).All(
            t => t.First.SequenceEqual(t.Second)), "the light net did not train");
    }

    [Fact]
    public void AttentionTransferNeedsFeatureMapNetworks()
    {
        var pair = new TinyPair(4, 3, seed: 1);
        var error =
            Assert.Throws<ArgumentException>(() => new RocketTrainer(pair, new Sgd(pair.Light.Parameters(), 0.1),
            new ConstantSchedule(0.1),
            new TrainerOptions
            {
                Method = TrainingMethod.AttentionTransfer,
                Teacher = new TinyPair(4, 3, seed: 2).Booster
            }));
        Assert.Contains(nameof(IFeatureMapNetwork), error.Message);
    }
}
