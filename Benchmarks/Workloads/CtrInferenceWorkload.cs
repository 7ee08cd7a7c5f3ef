using RocketNet.Layers;
using RocketNet.Serving;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// Inference of the paper's light CTR tower 576-200-80-2 (ReLU) through the public <see cref="Predictor"/>
/// API, on one sample or a batch. Same definition as the PyTorch peer's "ctr-light-infer1/256".
/// </summary>
public sealed class CtrInferenceWorkload : IWorkload
{
    private readonly Predictor _predictor;
    private readonly float[] _input, _logits;
    private readonly int _batch;

    /// <summary>Builds the tower (eval mode) and random inputs for <paramref name="batch"/> samples.</summary>
    public CtrInferenceWorkload(int batch)
    {
        var random = new RandomGenerator(0);
        var tower = new Sequential(new Linear(576, 200, random), new ReLU(), new Linear(200, 80, random), new ReLU(),
            new Linear(80, 2, random));
        _predictor = new Predictor(tower, [576], maxBatchSize: Math.Max(batch, 1));
        _batch = batch;
        _input = new float[batch * 576];
        random.FillNormal(_input);
        _logits = new float[batch * 2];
        Name = $"ctr-light-infer{batch}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public double? FlopsPerRun => null;

    /// <inheritdoc />
    public void Run()
    {
        if (_batch == 1) _predictor.Predict(_input, _logits);
        else _predictor.PredictBatch(_input, _logits);
    }
}
