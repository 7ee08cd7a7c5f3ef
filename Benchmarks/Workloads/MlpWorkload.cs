using RocketNet.Training.Optim;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One training step of the MLP 784-1024-1024-10 (ReLU) on a batch of 128: forward, cross-entropy,
/// backward, SGD with momentum 0.9 and weight decay 5e-4. Same definition as the PyTorch peer's "mlp".
/// </summary>
public sealed class MlpWorkload : IWorkload
{
    private const int Batch = 128;
    private readonly Tensor _x;
    private readonly int[] _labels;
    private readonly Tensor[] _parameters;
    private readonly Sgd _optimizer;

    /// <summary>Creates the parameters (PyTorch's default uniform init) and a random batch.</summary>
    public MlpWorkload()
    {
        var random = new RandomGenerator(0);
        int[] sizes = [784, 1024, 1024, 10];
        var parameters = new List<Tensor>();
        for (int i = 0; i < 3; i++)
        {
            float bound = 1 / MathF.Sqrt(sizes[i]);
            parameters.Add(Tensor.RandomUniform([sizes[i + 1], sizes[i]], random, -bound, bound).WithGrad());
            parameters.Add(Tensor.RandomUniform([sizes[i + 1]], random, -bound, bound).WithGrad());
        }
        _parameters = parameters.ToArray();
        _x = Tensor.RandomNormal([Batch, 784], random);
        _labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(10)).ToArray();
        _optimizer = new Sgd(_parameters, 0.01, momentum: 0.9, weightDecay: 5e-4);
    }

    /// <inheritdoc />
    public string Name => "mlp";

    /// <inheritdoc />
    public double? FlopsPerRun => null;

    /// <summary>The loss of the last step.</summary>
    public float LastLoss { get; private set; }

    /// <inheritdoc />
    public void Run()
    {
        using var scope = TensorScope.Begin();
        var p = _parameters;
        var h = Functional.Linear(_x, p[0], p[1]).Relu();
        h = Functional.Linear(h, p[2], p[3]).Relu();
        var loss = Functional.CrossEntropy(Functional.Linear(h, p[4], p[5]), _labels);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        LastLoss = loss.Item();
    }
}
