using RocketNet.Kernels;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Tests.Serving;
using Xunit;
using Kernel = RocketNet.Kernels.ConvolutionKernels.ForwardKernel;

namespace RocketNet.Tests.Layers;

/// <summary>
/// The compiled Wide ResNet plan against the graph it replaces: batch norms folded into scale/shift and into
/// conv0 change rounding, so the plan must equal <see cref="Module.Forward"/> in eval mode within
/// <see cref="ConvInferencePlan.RelativeBound"/> of the largest logit, give the same bits on 1 and 2 threads, and
/// allocate nothing per served call.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class ConvInferencePlanTests
{
    /// <summary>
    /// A Wide ResNet whose batch norms hold random running statistics and affine parameters, so that every fold
    /// (scale, shift, bias) is exercised, not the identity a fresh batch norm would be.
    /// </summary>
    private static WideResNet RandomNet(int blocksPerGroup, int widen, int groups, int classes, int inChannels,
        int seed)
    {
        var random = new RandomGenerator((ulong)seed);
        var net = WideResNet.Create(blocksPerGroup, widen, groups, classes, random, inChannels);
        foreach (var batchNorm in Descendants(net).OfType<BatchNorm>())
        {
            var values = new float[batchNorm.NumFeatures];
            random.FillNormal(values);
            for (int c = 0; c < values.Length; c++)
            {
                batchNorm.RunningMean.Data[c] = 0.3f * values[c];
                batchNorm.RunningVar.Data[c] = 0.5f + values[c] * values[c];
                batchNorm.Weight.Data[c] = 1f + 0.2f * values[(c + 1) % values.Length];
                batchNorm.Bias.Data[c] = 0.1f * values[(c + 2) % values.Length];
            }
        }
        net.Eval();
        return net;
    }

    private static IEnumerable<Module> Descendants(Module module) =>
        module.NamedChildren().SelectMany(child => Descendants(child.Module).Prepend(child.Module));

    private static float[] GraphForward(Module net, float[] input, int batch, int[] shape)
    {
        using (GradMode.NoGrad()) return net.Forward(Tensor.FromArray(input, [batch, .. shape])).ToArray();
    }

    private static void AssertWithinBound(float[] expected, float[] actual)
    {
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= ConvInferencePlan.RelativeBound * scale,
                $"logit {i}: plan {actual[i]}, graph {expected[i]}, bound {ConvInferencePlan.RelativeBound * scale}");
    }

    /// <summary>
    /// WRN-16-1 on CIFAR-sized images (by the serving rule Winograd F(2×2, 3×3) on the 3×3 stride-1 layers but the
    /// stem and 64→64 on 8×8 at batch 1, F(4×4, 3×3) for the batch of 16), a wider net, and small odd-sized images
    /// (strided convolutions on odd planes, two groups, one input channel); each with the serving rule and every kernel
    /// forced wherever it applies, so every choice the rule could make is held to the bound.
    /// </summary>
    [Theory]
    [InlineData(2, 1, 3, 10, 3, 32, 32, 1, 1)]
    [InlineData(2, 1, 3, 10, 3, 32, 32, 3, 2)]
    [InlineData(2, 1, 3, 10, 3, 32, 32, 16, 3)]
    [InlineData(1, 2, 3, 7, 3, 16, 16, 1, 4)]
    [InlineData(1, 2, 2, 5, 1, 9, 7, 5, 5)]
    [InlineData(2, 1, 2, 2, 2, 11, 13, 2, 6)]
    public void PlanMatchesTheGraphWithinTheBoundOnOneAndTwoThreads(int blocksPerGroup, int widen, int groups,
        int classes, int inChannels, int height, int width, int batch, int seed)
    {
        var net = RandomNet(blocksPerGroup, widen, groups, classes, inChannels, seed);
        int[] shape = [inChannels, height, width];
        var x = new float[batch * inChannels * height * width];
        new RandomGenerator((ulong)seed + 100).FillNormal(x);
        var expected = GraphForward(net, x, batch, shape);
        // The serving rule (null), then every kernel forced wherever it applies: each choice must stay in the bound.
        foreach (Kernel? kernel in new Kernel?[] { null, Kernel.ImplicitGemm, Kernel.WinogradF23, Kernel.WinogradF43 })
        {
            var plan = ConvInferencePlan.TryCreate(net, shape, maxBatchSize: 16, kernel);
            Assert.NotNull(plan);
            Assert.Equal(classes, plan.OutputSize);
            var one = new float[batch * classes];
            var two = new float[batch * classes];
            KernelTestData.WithThreads(1, () => plan.Run(x, one, batch));
            KernelTestData.WithThreads(2, () => plan.Run(x, two, batch));
            AssertWithinBound(expected, one);
            Assert.Equal(one, two);
        }
    }

    /// <summary>
    /// A batch larger than <see cref="ConvInferencePlan.ImagesPerPass"/> runs in passes (70 images: 32, 32, 6): every
    /// image's logits must still be its own (a pass reading or writing at the wrong offset is far outside the bound),
    /// and the passes must not depend on the thread count.
    /// </summary>
    [Fact]
    public void BatchesLargerThanOnePassMatchTheGraph()
    {
        const int batch = 70;
        var net = RandomNet(1, 1, 3, 10, 3, seed: 7);
        int[] shape = [3, 16, 16];
        var x = new float[batch * 3 * 16 * 16];
        new RandomGenerator(107).FillNormal(x);
        var expected = GraphForward(net, x, batch, shape);
        var plan = ConvInferencePlan.TryCreate(net, shape, maxBatchSize: batch)!;
        var one = new float[batch * 10];
        var two = new float[batch * 10];
        KernelTestData.WithThreads(1, () => plan.Run(x, one, batch));
        KernelTestData.WithThreads(2, () => plan.Run(x, two, batch));
        AssertWithinBound(expected, one);
        Assert.Equal(one, two);
    }

    /// <summary>
    /// The serving rule on WRN-16-1's layer shapes: Winograd F(2×2, 3×3) from <see cref="ConvStep.MinWinogradTiles"/>
    /// output tiles and <see cref="ConvStep.MinWinogradInChannels"/> input channels (16→16 on 32×32, 32→32 on 16×16
    /// and 64→64 on 8×8 at batch 1; 16→16 on 32×32 is one the dispatcher sends to implicit GEMM); implicit GEMM for
    /// the 3-channel stem, below the tiles (64→64 on 4×4 at batch 3) and for strided convolutions; the dispatcher's
    /// choice from batch 16. Without AVX-512 only F(4×4, 3×3) remains (on 128-bit vectors), where the dispatcher
    /// takes it.
    /// </summary>
    [Fact]
    public void ServingRulePicksTheKernelPerLayerForTheBatch()
    {
        var random = new RandomGenerator(13);
        ConvStep Step(int c, int o, int size, int stride = 1) =>
            ConvStep.Create(new Conv2d(c, o, 3, random, stride, padding: 1), null, size, size, 64).Step!;
        bool winograd = ConvolutionKernels.CanRunForward(Kernel.WinogradF23, new ConvGeometry(1, 16, 32, 32, 16, 3, 3,
            1, 1, 1, 1));
        var f23 = winograd ? Kernel.WinogradF23 : Kernel.ImplicitGemm;
        Assert.Equal(Kernel.ImplicitGemm, Step(3, 16, 32).KernelFor(1)); // the stem: too few input channels
        Assert.Equal(f23, Step(16, 16, 32).KernelFor(1));
        Assert.Equal(f23, Step(32, 32, 16).KernelFor(1));
        Assert.Equal(f23, Step(64, 64, 8).KernelFor(1)); // 16 tiles: one half panel
        Assert.Equal(f23, Step(64, 64, 8).KernelFor(2));
        Assert.Equal(Kernel.ImplicitGemm, Step(64, 64, 4).KernelFor(3)); // 12 tiles: too few
        // 28 tiles: F(2×2, 3×3), unless the dispatcher takes F(4×4, 3×3) (7 of 8 lanes of images filled: on 128-bit
        // vectors, 4 images each).
        bool f43At7 = ConvolutionKernels.DefaultForwardKernel(new ConvGeometry(7, 64, 4, 4, 64, 3, 3, 1, 1, 1, 1))
            == Kernel.WinogradF43;
        Assert.Equal(f43At7 ? Kernel.WinogradF43 : f23, Step(64, 64, 4).KernelFor(7));
        Assert.Equal(Kernel.ImplicitGemm, Step(16, 32, 32, stride: 2).KernelFor(8));
        var g = new ConvGeometry(64, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1);
        Assert.Equal(ConvolutionKernels.DefaultForwardKernel(g), Step(64, 64, 8).KernelFor(64));
        bool f43 = ConvolutionKernels.CanRunForward(Kernel.WinogradF43, g);
        Assert.Equal(f43 ? Kernel.WinogradF43 : Kernel.ImplicitGemm, Step(64, 64, 8).KernelFor(16));
    }

    [Fact]
    public void PlanIsASnapshotThatIgnoresTrainingModeAndLaterChanges()
    {
        var net = RandomNet(1, 1, 2, 3, 3, seed: 7);
        int[] shape = [3, 8, 8];
        var plan = ConvInferencePlan.TryCreate(net, shape, maxBatchSize: 2)!;
        var x = new float[2 * plan.InputSize];
        new RandomGenerator(8).FillNormal(x);
        var expected = GraphForward(net, x, 2, shape);
        net.Train();
        net.Stem.Weight.Data[0] += 1f;
        var y = new float[2 * 3];
        plan.Run(x, y, 2);
        AssertWithinBound(expected, y);
    }

    [Fact]
    public void OnlyWideResNetsOfTheRightChannelCountCompile()
    {
        var net = RandomNet(1, 1, 1, 3, 3, seed: 9);
        Assert.Null(ConvInferencePlan.TryCreate(net, [1, 8, 8], 4)); // the stem takes 3 channels
        Assert.Null(ConvInferencePlan.TryCreate(net, [3, 64], 4));
        Assert.Null(ConvInferencePlan.TryCreate(new TinyModule(4, 3, seed: 1), [1, 2, 2], 4));
        Assert.Throws<ArgumentException>(() => ConvInferencePlan.TryCreate(net, [3, 8, 8], 4)!
            .Run(new float[5 * 192], new float[5 * 3], 5));
    }

    [Fact]
    public void APredictorServesAWideResNetThroughThePlanWithoutAllocating()
    {
        var net = RandomNet(2, 1, 3, 10, 3, seed: 11);
        int[] shape = [3, 32, 32];
        var predictor = new Predictor(net, shape, maxBatchSize: 4);
        Assert.True(predictor.UsesConvolutionPlan);
        Assert.False(predictor.UsesDensePlan);
        var samples = new float[6 * 3 * 32 * 32];
        new RandomGenerator(12).FillNormal(samples);
        var expected = GraphForward(net, samples, 6, shape);
        var logits = new float[60];
        predictor.PredictBatch(samples, logits); // chunks of 4 and 2
        AssertWithinBound(expected, logits);

        var one = new float[10];
        var sample = samples.AsSpan(0, 3 * 32 * 32).ToArray();
        predictor.Predict(sample, one); // warm: the kernels' per-thread jobs and scratch
        foreach (int threads in new[] { 1, 2 })
        {
            KernelTestData.WithThreads(threads, () =>
            {
                SteadyStateAllocation.AssertNoneOnCaller(() => predictor.Predict(sample, one), callsPerAttempt: 5);
            });
        }
        AssertWithinBound(expected.AsSpan(0, 10).ToArray(), one);
    }
}
