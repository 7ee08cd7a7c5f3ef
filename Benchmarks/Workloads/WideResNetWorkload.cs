using RocketNet.Layers;
using RocketNet.Training.Optim;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One training step of WRN-d-k on a batch of 128 CIFAR-sized images (3×32×32): forward, cross-entropy,
/// backward, SGD momentum 0.9 + weight decay 5e-4. Same definition as the PyTorch peer's "wrn16-1"/"wrn40-1".
/// </summary>
public sealed class WideResNetWorkload : IWorkload
{
    private const int Batch = 128;
    private readonly WideResNet _model;
    private readonly Tensor _x;
    private readonly int[] _labels;
    private readonly Sgd _optimizer;

    /// <summary>Builds WRN-<paramref name="depth"/>-<paramref name="widen"/> and a random batch.</summary>
    public WideResNetWorkload(int depth, int widen)
    {
        var random = new RandomGenerator(0);
        _model = WideResNet.Create(depth, widen, 10, random);
        _x = Tensor.RandomNormal([Batch, 3, 32, 32], random);
        _labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(10)).ToArray();
        _optimizer = new Sgd(_model.Parameters(), 0.01, momentum: 0.9, weightDecay: 5e-4);
        Name = $"wrn{depth}-{widen}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public double? FlopsPerRun => null;

    /// <inheritdoc />
    public void Run()
    {
        using var scope = TensorScope.Begin();
        var loss = Functional.CrossEntropy(_model.Forward(_x), _labels);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
    }
}
