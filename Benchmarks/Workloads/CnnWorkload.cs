using RocketNet.Training.Optim;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One training step of a small CNN on a batch of 64 images 3×32×32: conv3×3 3→32, ReLU, maxpool2,
/// conv3×3 32→64, ReLU, maxpool2, conv3×3 64→128, ReLU, maxpool2, linear 2048→256, ReLU, linear 256→10,
/// cross-entropy, SGD momentum 0.9 + weight decay 5e-4. Same definition as the PyTorch peer's "cnn".
/// </summary>
public sealed class CnnWorkload : IWorkload
{
    private const int Batch = 64;
    private readonly Tensor _x;
    private readonly int[] _labels;
    private readonly Tensor[] _p;
    private readonly Sgd _optimizer;

    /// <summary>Creates the parameters (PyTorch's default uniform init) and a random batch.</summary>
    public CnnWorkload()
    {
        var random = new RandomGenerator(0);
        var parameters = new List<Tensor>();
        void Add(int[] weightShape, int fanIn)
        {
            float bound = 1 / MathF.Sqrt(fanIn);
            parameters.Add(Tensor.RandomUniform(weightShape, random, -bound, bound).WithGrad());
            parameters.Add(Tensor.RandomUniform([weightShape[0]], random, -bound, bound).WithGrad());
        }
        Add([32, 3, 3, 3], 27);
        Add([64, 32, 3, 3], 288);
        Add([128, 64, 3, 3], 576);
        Add([256, 2048], 2048);
        Add([10, 256], 256);
        _p = parameters.ToArray();
        _x = Tensor.RandomNormal([Batch, 3, 32, 32], random);
        _labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(10)).ToArray();
        _optimizer = new Sgd(_p, 0.01, momentum: 0.9, weightDecay: 5e-4);
    }

    /// <inheritdoc />
    public string Name => "cnn";

    /// <inheritdoc />
    public double? FlopsPerRun => null;

    /// <summary>The loss of the last step.</summary>
    public float LastLoss { get; private set; }

    /// <inheritdoc />
    public void Run()
    {
        using var scope = TensorScope.Begin();
        var h = _x;
        for (int layer = 0; layer < 3; layer++)
            // ReLU then max pool as one op (what Sequential does for ReLU, MaxPool2d): same bits as the two.
            h = Functional.ReluMaxPool2d(Functional.Conv2d(h, _p[2 * layer], _p[2 * layer + 1],
                stride: 1, padding: 1), 2);
        h = h.Reshape(Batch, 2048);
        h = Functional.Linear(h, _p[6], _p[7]).Relu();
        var loss = Functional.CrossEntropy(Functional.Linear(h, _p[8], _p[9]), _labels);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        LastLoss = loss.Item();
    }
}
