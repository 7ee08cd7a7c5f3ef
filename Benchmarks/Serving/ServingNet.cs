using RocketNet.Layers;

namespace RocketNet.Benchmarks.Serving;

/// <summary>
/// One serving workload of the ONNX Runtime comparison (issue 32): a light net, its sample shape, the batch served
/// and inputs for it (category ids in the first columns where the net embeds them).
/// </summary>
public sealed class ServingNet
{
    /// <summary>Names accepted by <see cref="Create"/>, in the order of the report.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["ctr-b1", "ctr-b256", "wrn16-1-b1", "wrn16-1-b64", "digits-mlp-b1", "table-towers-b1"];

    private ServingNet(string name, Module module, int[] shape, int batch, int[] vocabulary)
    {
        (Name, Module, Shape, Batch) = (name, module, shape, batch);
        int size = shape.Aggregate(1, (a, b) => a * b);
        Input = new float[batch * size];
        var random = new RandomGenerator(17);
        random.FillNormal(Input);
        for (int n = 0; n < batch; n++)
            for (int f = 0; f < vocabulary.Length; f++) Input[n * size + f] = random.NextInt(vocabulary[f]);
        module.Eval();
    }

    /// <summary>Workload name, e.g. "wrn16-1-b1".</summary>
    public string Name { get; }

    /// <summary>The light net (eval mode).</summary>
    public Module Module { get; }

    /// <summary>Shape of one sample.</summary>
    public int[] Shape { get; }

    /// <summary>Samples per call.</summary>
    public int Batch { get; }

    /// <summary>The inputs [Batch, ...Shape], flattened.</summary>
    public float[] Input { get; }

    /// <summary>
    /// The workload called <paramref name="name"/>: the CTR light tower 576-200-80-2, WRN-16-1 (Table 1's light net,
    /// batch norms holding non-trivial running statistics so that folding them is exercised), the digits demo's MLP
    /// light net 64-8-10 and a table-towers light net (4 categorical columns embedded in 8, 6 numeric, tower 32).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static ServingNet Create(string name)
    {
        var random = new RandomGenerator(3);
        return name switch
        {
            "ctr-b1" or "ctr-b256" => new ServingNet(name, new Sequential(new Linear(576, 200, random), new ReLU(),
                new Linear(200, 80, random), new ReLU(), new Linear(80, 2, random)), [576], name == "ctr-b1" ? 1 : 256,
                []),
            "wrn16-1-b1" or "wrn16-1-b64" => new ServingNet(name, WithStatistics(WideResNet.Create(16, 1, 10, random),
                random), [3, 32, 32], name == "wrn16-1-b1" ? 1 : 64, []),
            "digits-mlp-b1" => new ServingNet(name,
                MlpPair.Create(64, [8], [256], [], 10, random, boosterBatchNorm: true).ExtractLight(), [64], 1, []),
            "table-towers-b1" => new ServingNet(name, ArchitectureRegistry.BuildLight(
                "table-towers vocab=12x8x20x6 numeric=6 dim=8 booster=256x128 light=32 classes=2", random), [10], 1,
                [12, 8, 20, 6]),
            _ => throw new ArgumentException(
                $"Unknown serving workload '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>Gives every batch norm of <paramref name="net"/> running statistics and a shift (as trained).</summary>
    private static Module WithStatistics(Module net, RandomGenerator random)
    {
        foreach (var (name, tensor) in net.NamedBuffers().Concat(net.NamedParameters()))
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) random.FillUniform(tensor.Data, -0.5f, 0.5f);
            if (name.EndsWith("running_var", StringComparison.Ordinal)) random.FillUniform(tensor.Data, 0.5f, 2f);
            if (name.Contains("bn", StringComparison.Ordinal) && tensor.Rank == 1 && name.EndsWith("bias",
                StringComparison.Ordinal))
                random.FillUniform(tensor.Data, -0.2f, 0.2f);
        }
        return net;
    }
}
