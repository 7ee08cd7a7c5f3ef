using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Training.Losses;
using RocketNet.Training.Optim;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One joint Rocket Launching step of the paper's CTR pair on the synthetic click log's field layout: 18 fields,
/// one embedding table per field (the log's vocabularies: 100,000 users, 5,000 ads, …), 32 wide → 576 inputs;
/// booster 576-720-360-240-180-90-2 (Linear, BatchNorm1d, ReLU), light 576-200-80-2 (Linear, ReLU); loss
/// CE(z) + CE(l) + 0.03·Σ(stop_gradient(z) − l)²/256; batch 256 of random ids. Same definition as the PyTorch
/// peer's "ctr-rocket-train" (lazy updates: only the embedding rows the batch used, <see cref="LazyAdam"/>; the
/// peer's SparseAdam) and "ctr-rocket-train-dense" (one <see cref="Adam"/> over everything).
/// </summary>
public sealed class CtrRocketTrainWorkload : IWorkload
{
    private const int Batch = 256, Dimension = 32;
    private readonly CtrTowerPair _pair;
    private readonly Tensor _ids;
    private readonly int[] _labels;
    private readonly Optimizer _optimizer;
    private readonly LossOptions _loss = new();

    /// <summary>
    /// Builds the pair, a random batch and the optimiser (lazy embedding updates when <paramref name="lazy"/>).
    /// </summary>
    public CtrRocketTrainWorkload(bool lazy)
    {
        var random = new RandomGenerator(0);
        int[] vocabulary = Vocabulary;
        var spec = CtrTowerPairSpec.PerField(vocabulary, Dimension, [720, 360, 240, 180, 90], [200, 80]);
        _pair = CtrTowerPair.Create(spec, random);
        var ids = new float[Batch * vocabulary.Length];
        for (int sample = 0; sample < Batch; sample++)
            for (int field = 0; field < vocabulary.Length; field++)
                ids[sample * vocabulary.Length + field] = random.NextInt(vocabulary[field]);
        _ids = Tensor.FromArray(ids, Batch, vocabulary.Length);
        _labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(2)).ToArray();
        _optimizer = lazy
            ? new LazyAdam(_pair.Parameters(), [_pair.Embedding.Weight], 1e-3)
            : new Adam(_pair.Parameters(), 1e-3);
        Name = lazy ? "ctr-rocket-train" : "ctr-rocket-train-dense";
    }

    /// <summary>The synthetic click log's per-field vocabulary sizes at its default size (the peer's list).</summary>
    public static int[] Vocabulary => SyntheticClickFields.VocabularySizes(new SyntheticClickLogOptions());

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public double? FlopsPerRun => null;

    /// <inheritdoc />
    public void Run()
    {
        using var scope = TensorScope.Begin();
        var (z, l) = _pair.ForwardPair(_ids);
        var loss = RocketLosses.Rocket(z, l, _labels, _loss).Total;
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
    }
}
