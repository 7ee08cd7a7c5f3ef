using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

/// <summary>
/// Ops that write a fresh input gradient instead of clearing and adding to it (conv, linear, ReLU, batch norm,
/// same-shape add) must still sum correctly when a tensor feeds several of them: whichever consumer runs its
/// backward first overwrites, every later one adds. Checked against the sum of each consumer's gradient alone.
/// </summary>
public class FirstWriterOverwritesTests
{
    private delegate Tensor Consumer(Tensor h);

    /// <summary>Each consumer maps h [2, 3, 4, 4] to a tensor, reduced with fixed random weights to a scalar.</summary>
    private static Consumer[] Consumers(RandomGenerator random)
    {
        var convWeight = Tensor.RandomNormal([2, 3, 3, 3], random);
        var stridedWeight = Tensor.RandomNormal([2, 3, 3, 3], random);
        var linearWeight = Tensor.RandomNormal([5, 48], random);
        var squareWeight = Tensor.RandomNormal([3, 3, 3, 3], random);
        Tensor gamma = Tensor.RandomNormal([3], random), beta = Tensor.RandomNormal([3], random);
        return
        [
            h => Functional.Conv2d(h, convWeight, padding: 1),            // implicit path, stride 1
            h => Functional.Conv2d(h, stridedWeight, stride: 2, padding: 1), // folding path, stride 2
            h => Functional.Linear(h.Reshape(2, 48), linearWeight),
            h => h.Relu(),
            h => Functional.MaxPool2d(h, 2),
            h => Functional.BatchNormRelu(h, gamma, beta, Tensor.Zeros(3), Tensor.Ones(3), training: true),
            h => Functional.BatchNorm(h, gamma, beta, Tensor.Zeros(3), Tensor.Ones(3), training: true),
            h => h + h,                                                     // the same input twice: 2·dy
            h => Functional.Conv2dAdd(h, squareWeight, h, padding: 1),      // residual = the conv's own input
            // a fresh residual: dy handed over, no copy
            h => Functional.Conv2dAdd(h, squareWeight, h * 0.5f, padding: 1),
            h =>
            {
                var r = h * 0.5f;                                           // a residual another op reaches first
                return Functional.Conv2dAdd(h, squareWeight, r, padding: 1) + r;
            },
            h => h * 3f + h,                                                // add of two different tensors
        ];
    }

    private static Tensor Weighted(Tensor t, ulong seed) =>
        (t * Tensor.RandomNormal(t.Shape.ToArray(), new RandomGenerator(seed))).Sum();

    [Fact]
    public void ALeafWeightAfterZeroGradIsWrittenByItsFirstUseAndAddedToByTheRest()
    {
        var random = new RandomGenerator(78);
        var weight = Tensor.RandomNormal([4, 6], random).WithGrad(); // shared by two layers, as booster and light share
        Tensor a = Tensor.RandomNormal([3, 6], random), b = Tensor.RandomNormal([5, 6], random);
        Tensor Loss() => Weighted(Functional.Linear(a, weight), 1) + Weighted(Functional.Linear(b, weight), 2);

        Loss().Backward();
        var once = weight.Grad!.ToArray();
        Loss().Backward(); // no ZeroGrad: gradients accumulate
        var twice = weight.Grad!.ToArray();
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], twice[i], 1e-4f);

        weight.ZeroGrad();
        Assert.All(weight.Grad!.ToArray(), v => Assert.Equal(0f, v)); // reads as zeros before any backward
        Loss().Backward();
        Assert.Equal(once, weight.Grad!.ToArray());

        // ZeroGrad straight into backward (the deferred clear is skipped by the first writer): same result.
        weight.ZeroGrad();
        Loss().Backward();
        Assert.Equal(once, weight.Grad!.ToArray());
    }

    [Fact]
    public void AResidualReachedByAnotherOpKeepsBothContributions()
    {
        var random = new RandomGenerator(79);
        var weight = Tensor.RandomNormal([3, 3, 3, 3], random);
        var input = Tensor.RandomNormal([2, 3, 4, 4], random).WithGrad();
        float[] Gradient(Func<Tensor, Tensor, Tensor> block)
        {
            input.ZeroGrad();
            var r = input * 0.5f;
            Weighted(block(input * 2f, r) + r, 5).Backward();
            return input.Grad!.ToArray();
        }
        var fused = Gradient((h, r) => Functional.Conv2dAdd(h, weight, r, padding: 1));
        var separate = Gradient((h, r) => Functional.Conv2d(h, weight, padding: 1) + r);
        for (int i = 0; i < fused.Length; i++) Assert.Equal(separate[i], fused[i], 1e-4f);
    }

    [Fact]
    public void EveryConsumerOrderGivesTheSumOfTheSeparateGradients()
    {
        var random = new RandomGenerator(77);
        var consumers = Consumers(random);
        var input = Tensor.RandomNormal([2, 3, 4, 4], random).WithGrad();

        // Each consumer alone, through a non-leaf h = 2x (so its gradient buffer is pooled and may be overwritten).
        var expected = new double[input.Count];
        for (int k = 0; k < consumers.Length; k++)
        {
            input.ZeroGrad();
            Weighted(consumers[k](input * 2f), (ulong)k).Backward();
            for (int i = 0; i < expected.Length; i++) expected[i] += input.Grad!.Data[i];
        }

        // All together, each consumer in turn placed last (its backward runs first and writes the fresh buffer).
        for (int first = 0; first < consumers.Length; first++)
        {
            input.ZeroGrad();
            var h = input * 2f;
            Tensor? loss = null;
            foreach (int k in Enumerable.Range(0, consumers.Length).Select(j => (first + 1 + j) % consumers.Length))
            {
                var term = Weighted(consumers[k](h), (ulong)k);
                loss = loss is null ? term : loss + term;
            }
            loss!.Backward();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(input.Grad!.Data[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])),
                    $"consumer {first} first: element {i} is {input.Grad.Data[i]}, expected {expected[i]}");
        }
    }
}
