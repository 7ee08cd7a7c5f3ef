using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Kernels;
using RocketNet.Layers;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Layers;

/// <summary>
/// The compiled dense plan against the graph it replaces: for any chain of linear layers and activations it
/// must give exactly the bits of <see cref="Module.Forward"/> in eval mode (same kernels, same order).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class DenseInferencePlanTests
{
    /// <summary>
    /// A random net: widths chained from <paramref name="input"/>, each linear followed by a random activation (or
    /// none, or dropout).
    /// </summary>
    private static Module RandomNet(int input, int[] widths, int seed)
    {
        var random = new RandomGenerator((ulong)seed);
        var layers = new List<Module>();
        int width = input;
        for (int i = 0; i < widths.Length; i++)
        {
            layers.Add(new Linear(width, widths[i], random, bias: (seed + i) % 3 != 0));
            width = widths[i];
            switch ((seed + i) % 5)
            {
                case 0: layers.Add(new ReLU()); break;
                case 1: layers.Add(new Sigmoid()); break;
                case 2: layers.Add(new Tanh()); break;
                case 3: layers.Add(new Dropout(0.5f, random)); layers.Add(new ReLU()); break;
            }
        }
        // Split into trunk and head so nesting (TrunkHeadNet of Sequentials) is covered too.
        int cut = layers.Count / 2;
        return new TrunkHeadNet(new Sequential([.. layers.Take(cut)]), new Sequential([.. layers.Skip(cut)]));
    }

    private static float[] GraphForward(Module net, float[] input, int batch, int inputSize)
    {
        net.Eval();
        using (GradMode.NoGrad()) return net.Forward(Tensor.FromArray(input, batch, inputSize)).ToArray();
    }

    [Property(MaxTest = 40)]
    public Property PlanGivesTheGraphsBitsForAnyChainBatchAndThreadCount()
    {
        var gen =
            from input in Gen.Choose(1, 70)
            from depth in Gen.Choose(1, 4)
            from widths in Gen.ArrayOf(Gen.Choose(1, 90), depth)
            from batch in Gen.Elements(1, 2, 9, 33, 64, 65, 97)
            from seed in Gen.Choose(0, 10_000)
            select (input, widths, batch, seed);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var net = RandomNet(c.input, c.widths, c.seed);
            // Batches of 64 and more are cut into a block of rows per thread on two threads (where bits allow).
            var plan = DenseInferencePlan.TryCreate(net, c.input, maxBatchSize: 100);
            Assert.NotNull(plan);
            var x = new float[c.batch * c.input];
            new RandomGenerator((ulong)c.seed + 1).FillNormal(x);
            var expected = GraphForward(net, x, c.batch, c.input);
            foreach (int threads in new[] { 1, 2 })
            {
                var y = new float[c.batch * plan!.OutputSize];
                KernelTestData.WithThreads(threads, () => plan.Run(x, y, c.batch));
                Assert.Equal(expected, y);
            }
        });
    }

    [Fact]
    public void TheCtrLightTowerAtOneSampleIsBitIdenticalToTheGraphOnOneAndTwoThreads()
    {
        var random = new RandomGenerator(3);
        var tower = new Sequential(new Linear(576, 200, random), new ReLU(), new Linear(200, 80, random), new ReLU(),
            new Linear(80, 2, random));
        var plan = DenseInferencePlan.TryCreate(tower, 576, maxBatchSize: 1)!;
        var x = new float[576];
        random.FillNormal(x);
        var expected = GraphForward(tower, x, 1, 576);
        foreach (int threads in new[] { 1, 2 })
        {
            var y = new float[2];
            // Several calls: the first may run inline while the workers wake, later ones split the rows.
            KernelTestData.WithThreads(threads,
                () => { for (int i = 0; i < 4; i++) { plan.Run(x, y, 1); Assert.Equal(expected, y); } });
        }
    }

    [Fact]
    public void TheCtrLightTowerAtBatch256IsSplitIntoRowBlocksWithTheGraphsBits()
    {
        var random = new RandomGenerator(11);
        var tower = new Sequential(new Linear(576, 200, random), new ReLU(), new Linear(200, 80, random), new ReLU(),
            new Linear(80, 2, random));
        foreach (var (inputs, outputs) in new[] { (576, 200), (200, 80), (80, 2) })
            Assert.True(DenseInferenceKernels.RowBlocksMatch(256, 128, inputs, outputs)); // so two threads do split it
        var plan = DenseInferencePlan.TryCreate(tower, 576, maxBatchSize: 256)!;
        var x = new float[256 * 576];
        random.FillNormal(x);
        var expected = GraphForward(tower, x, 256, 576);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var y = new float[512];
            KernelTestData.WithThreads(threads,
                () => { for (int i = 0; i < 3; i++) { plan.Run(x, y, 256); Assert.Equal(expected, y); } });
        }
    }

    [Fact]
    public void RowBlocksMatchOnlyWhereTheBlockTakesTheWholeBatchsGemmPath()
    {
        Assert.False(DenseInferenceKernels.RowBlocksMatch(2, 1, 8, 8));       // one row: the streaming loop
        // 2^16 multiply-adds packed, half of it direct
        Assert.False(DenseInferenceKernels.RowBlocksMatch(64, 32, 32, 32));
        Assert.True(DenseInferenceKernels.RowBlocksMatch(64, 32, 64, 64));    // both packed
        Assert.True(DenseInferenceKernels.RowBlocksMatch(256, 128, 80, 2));   // both direct
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseInferenceKernels.RowBlocksMatch(4, 5, 8, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => DenseInferenceKernels.RowBlocksMatch(4, 0, 8, 8));
    }

    [Fact]
    public void AnInvalidIdInALaterRowBlockNamesItsSampleInTheWholeBatch()
    {
        var net = CtrLightNet(hashed: false, new RandomGenerator(12));
        var plan = DenseInferencePlan.TryCreate(net, 3, maxBatchSize: 64)!;
        var ids = new float[64 * 3];
        ids[50 * 3 + 2] = 3; // field 2 has 3 ids: [0, 3)
        foreach (int threads in new[] { 1, 2 })
        {
            var ex = Assert.Throws<ArgumentException>(() => KernelTestData.WithThreads(threads,
                () => plan.Run(ids, new float[128], 64)));
            Assert.Contains("row 50, field 2", ex.Message);
        }
    }

    /// <summary>A CTR light net as the pairs build it: ids → multi-field embedding → ReLU tower.</summary>
    private static TrunkHeadNet CtrLightNet(bool hashed, RandomGenerator random)
    {
        var embedding = hashed
            ? MultiFieldEmbedding.Hashed(3, 50, 4, random) : MultiFieldEmbedding.PerField([5, 7, 3], 4, random);
        return new TrunkHeadNet(embedding,
            new Sequential(new Linear(12, 8, random), new ReLU(), new Linear(8, 2, random)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACtrLightNetFromIdsGivesTheGraphsBits(bool hashed)
    {
        var random = new RandomGenerator(9);
        var net = CtrLightNet(hashed, random);
        var plan = DenseInferencePlan.TryCreate(net, 3, maxBatchSize: 5)!;
        Assert.NotNull(plan);
        float[] ids = [0, 6, 2, 4, 0, 1, 3, 3, 0, 1, 5, 2, 2, 2, 2];
        var expected = GraphForward(net, ids, 5, 3);
        foreach (int threads in new[] { 1, 2 })
        {
            var y = new float[10];
            KernelTestData.WithThreads(threads, () => plan.Run(ids, y, 5));
            Assert.Equal(expected, y);
            // One sample takes the one-row GEMM path: compare with the graph on that one sample.
            var one = new float[2];
            KernelTestData.WithThreads(threads, () => plan.Run(ids.AsSpan(3, 3), one, 1));
            Assert.Equal(GraphForward(net, ids[3..6], 1, 3), one);
        }
    }

    [Fact]
    public void AnInvalidIdNamesTheSampleAndTheFieldAsForwardDoes()
    {
        var net = CtrLightNet(hashed: false, new RandomGenerator(10));
        var plan = DenseInferencePlan.TryCreate(net, 3, maxBatchSize: 2)!;
        var ex = Assert.Throws<ArgumentException>(() => plan.Run([0, 1, 2, 4, 7, 0], new float[4], 2));
        Assert.Contains("row 1, field 1", ex.Message);
        Assert.Contains("[0, 7)", ex.Message);
        Assert.Throws<ArgumentException>(() => plan.Run([0, 1.5f, 2], new float[2], 1));
        Assert.Null(DenseInferencePlan.TryCreate(net, 4, 1)); // 4 values per sample, 3 fields
    }

    [Fact]
    public void AnActivationBeforeTheFirstLinearLeavesTheCallersInputUntouched()
    {
        var random = new RandomGenerator(4);
        var net = new Sequential(new ReLU(), new Linear(5, 3, random), new Tanh());
        var plan = DenseInferencePlan.TryCreate(net, 5, 2)!;
        float[] x = [-1, 2, -3, 4, -5, 0.5f, -0.5f, 1, -1, 2];
        var before = (float[])x.Clone();
        var y = new float[6];
        plan.Run(x, y, 2);
        Assert.Equal(before, x);
        Assert.Equal(GraphForward(net, x, 2, 5), y);
    }

    [Fact]
    public void ANetWithNoDenseDescriptionOrMismatchedWidthsGetsNoPlan()
    {
        var random = new RandomGenerator(5);
        Assert.Null(
            DenseInferencePlan.TryCreate(new Sequential(new Linear(4, 3, random), new BatchNorm1d(3, random)), 4, 1));
        Assert.Null(DenseInferencePlan.TryCreate(new Conv2d(1, 2, 3, random), 9, 1));
        Assert.Null(
            DenseInferencePlan.TryCreate(new Sequential(new Linear(4, 3, random), new Linear(5, 2, random)), 4, 1));
        Assert.Null(DenseInferencePlan.TryCreate(new Linear(4, 3, random), 5, 1));
    }

    [Fact]
    public void ThePlanServesTheWeightsItWasCreatedFrom()
    {
        var random = new RandomGenerator(6);
        var net = new TrunkHeadNet(MultiFieldEmbedding.PerField([4, 5], 3, random),
            new Sequential(new Linear(6, 2, random)));
        var plan = DenseInferencePlan.TryCreate(net, 2, 1)!;
        float[] ids = [1, 2];
        float[] before = new float[2], after = new float[2];
        plan.Run(ids, before, 1);
        foreach (var parameter in net.Parameters()) parameter.Data.Fill(1f);
        plan.Run(ids, after, 1);
        Assert.Equal(before, after); // a snapshot: the change is not seen
        DenseInferencePlan.TryCreate(net, 2, 1)!.Run(ids, after, 1);
        Assert.Equal(new[] { 7f, 7f }, after); // a new plan sees it: 6 ones times 1, plus the bias
    }

    [Fact]
    public void WrongBatchOrSpanLengthsAreRejectedWithTheExpectedSizes()
    {
        var plan = DenseInferencePlan.TryCreate(new Linear(3, 2, new RandomGenerator(7)), 3, maxBatchSize: 4)!;
        var ex = Assert.Throws<ArgumentException>(() => plan.Run(new float[15], new float[10], 5));
        Assert.Contains("outside [1, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => plan.Run(new float[5], new float[4], 2));
        Assert.Contains("need 6 inputs, got 5", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => plan.Run(new float[6], new float[3], 2));
        Assert.Contains("need 4 outputs", ex.Message);
    }

    [Fact]
    public void SingleSampleRunsAllocateNothing()
    {
        var random = new RandomGenerator(8);
        var tower = new Sequential(new Linear(64, 32, random), new ReLU(), new Linear(32, 2, random));
        var plan = DenseInferencePlan.TryCreate(tower, 64, 8)!;
        var x = new float[64];
        var y = new float[2];
        SteadyStateAllocation.AssertNoneOnCaller(() => plan.Run(x, y, 1), callsPerAttempt: 50);
    }
}
