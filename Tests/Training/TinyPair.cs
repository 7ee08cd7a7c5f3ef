using RocketNet.Layers;

namespace RocketNet.Tests.Training;

/// <summary>Test-only dense layer y = x·Wᵀ + b (optionally tanh), written with Functional.Linear.</summary>
internal sealed class TestDense : Module
{
    private readonly bool _tanh;

    public TestDense(int inputs, int outputs, RandomGenerator random, bool tanh)
    {
        _tanh = tanh;
        Weight = RegisterParameter("weight",
            Tensor.RandomNormal([outputs, inputs], random, 0, 1f / MathF.Sqrt(inputs)));
        Bias = RegisterParameter("bias", Tensor.RandomNormal([outputs], random, 0, 0.1f));
    }

    public Tensor Weight { get; }

    public Tensor Bias { get; }

    public override Tensor Forward(Tensor input)
    {
        var y = Functional.Linear(input, Weight, Bias);
        return _tanh ? y.Tanh() : y;
    }
}

/// <summary>Test-only net: a (possibly shared) trunk followed by a head of one or two dense layers.</summary>
internal sealed class TestNet : Module
{
    private readonly Module[] _layers;

    public TestNet(params Module[] layers)
    {
        _layers = layers;
        for (int i = 0; i < layers.Length; i++) RegisterModule("layer" + i, layers[i]);
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }

    /// <summary>Forward from the second layer on (after a trunk output computed elsewhere).</summary>
    public Tensor ForwardHead(Tensor trunkOutput)
    {
        var x = trunkOutput;
        for (int i = 1; i < _layers.Length; i++) x = _layers[i].Forward(x);
        return x;
    }
}

/// <summary>
/// Test-only rocket pair: a shared tanh trunk (W_S), a two-layer booster head (W_B) and a one-layer light
/// head (W_L). ForwardPair computes the trunk once, as real pairs do.
/// </summary>
internal sealed class TinyPair : RocketPair
{
    private readonly TestNet _booster, _light;

    public TinyPair(int inputs, int classes, ulong seed, int trunkWidth = 6, int boosterWidth = 8)
    {
        var random = new RandomGenerator(seed);
        Trunk = new TestDense(inputs, trunkWidth, random, tanh: true);
        BoosterHidden = new TestDense(trunkWidth, boosterWidth, random, tanh: true);
        BoosterOut = new TestDense(boosterWidth, classes, random, tanh: false);
        LightOut = new TestDense(trunkWidth, classes, random, tanh: false);
        _booster = RegisterModule("booster", new TestNet(Trunk, BoosterHidden, BoosterOut));
        _light = RegisterModule("light", new TestNet(Trunk, LightOut));
        (Inputs, Classes, TrunkWidth) = (inputs, classes, trunkWidth);
    }

    public int Inputs { get; }

    public int Classes { get; }

    public int TrunkWidth { get; }

    public TestDense Trunk { get; }

    public TestDense BoosterHidden { get; }

    public TestDense BoosterOut { get; }

    public TestDense LightOut { get; }

    public override Module Booster => _booster;

    public override Module Light => _light;

    public override (Tensor BoosterLogits, Tensor LightLogits) ForwardPair(Tensor input)
    {
        var h = Trunk.Forward(input);
        return (_booster.ForwardHead(h), _light.ForwardHead(h));
    }

    public override Module ExtractLight()
    {
        var copy = new TinyPair(Inputs, Classes, 0, TrunkWidth);
        copy.Light.LoadStateDict(Light.StateDict());
        return copy.Light;
    }
}

/// <summary>Small synthetic data shared by the training tests.</summary>
internal static class TrainingData
{
    /// <summary>
    /// A linearly separable 3-class problem in 4 dimensions: class k has a +2 offset on feature k plus noise.
    /// </summary>
    public static RocketNet.Training.Data.Dataset Separable(int count, ulong seed, int[]? groups = null)
    {
        var random = new RandomGenerator(seed);
        var features = new float[count * 4];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.NextInt(3);
            for (int f = 0; f < 4; f++) features[i * 4 + f] = (float)(random.NextNormal() * 0.5)
                + (f == labels[i] ? 2f : 0f);
        }
        return new RocketNet.Training.Data.Dataset("separable", features, labels, [4], 3, groups: groups);
    }
}
