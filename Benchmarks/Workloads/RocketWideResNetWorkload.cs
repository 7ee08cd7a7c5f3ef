using RocketNet.Layers;
using RocketNet.Training.Losses;
using RocketNet.Training.Optim;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One joint Rocket Launching step: booster WRN-40-1 and light WRN-16-1 with interval sharing, batch 128,
/// loss CE(z) + CE(l) + 0.03·Σ(stop_gradient(z) − l)²/128, SGD momentum 0.9 + weight decay 5e-4 over all
/// parameters. Same definition as the PyTorch peer's "rocket-wrn".
/// </summary>
public sealed class RocketWideResNetWorkload : IWorkload
{
    private const int Batch = 128;
    private readonly WideResNetPair _pair;
    private readonly Tensor _x;
    private readonly int[] _labels;
    private readonly Sgd _optimizer;
    private readonly LossOptions _loss = new();

    /// <summary>Builds the pair and a random batch.</summary>
    public RocketWideResNetWorkload()
    {
        var random = new RandomGenerator(0);
        _pair = WideResNetPair.Interval(1, 10, random);
        _x = Tensor.RandomNormal([Batch, 3, 32, 32], random);
        _labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(10)).ToArray();
        _optimizer = new Sgd(_pair.Parameters(), 0.01, momentum: 0.9, weightDecay: 5e-4);
    }

    /// <inheritdoc />
    public string Name => "rocket-wrn";

    /// <inheritdoc />
    public double? FlopsPerRun => null;

    /// <inheritdoc />
    public void Run()
    {
        using var scope = TensorScope.Begin();
        var (z, l) = _pair.ForwardPair(_x);
        var loss = RocketLosses.Rocket(z, l, _labels, _loss).Total;
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
    }
}
