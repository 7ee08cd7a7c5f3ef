using RocketNet.Layers;

namespace RocketNet.Tests.Serving;

/// <summary>A test-only module: logits = Linear(flatten(x)) + offset, with a child holding a buffer.</summary>
public sealed class TinyModule : Module
{
    public TinyModule(int inputs, int outputs, ulong seed)
    {
        var random = new RandomGenerator(seed);
        Weight = RegisterParameter("weight", Tensor.RandomNormal([outputs, inputs], random));
        Bias = RegisterParameter("bias", Tensor.RandomNormal([outputs], random));
        Head = RegisterModule("head", new OffsetModule(outputs, random));
        Inputs = inputs;
    }

    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public OffsetModule Head { get; }
    public int Inputs { get; }

    public override Tensor Forward(Tensor input) =>
        Head.Forward(Functional.Linear(input.Reshape(input.Size(0), Inputs), Weight, Bias));

    /// <summary>Adds a buffer in eval mode and twice it in training mode (so the mode is observable).</summary>
    public sealed class OffsetModule : Module
    {
        public OffsetModule(int size, RandomGenerator random) =>
            Offset = RegisterBuffer("offset", Tensor.RandomUniform([size], random));

        public Tensor Offset { get; }

        public override Tensor Forward(Tensor input) => IsTraining ? input + Offset * 2f : input + Offset;
    }
}
