using RocketNet.Layers;

namespace RocketNet.Tests.Layers;

/// <summary>Small helpers shared by the layer tests.</summary>
internal static class LayerTestHelpers
{
    public static Tensor Normal(int[] shape, ulong seed) => Tensor.RandomNormal(shape, new RandomGenerator(seed));

    /// <summary>Runs a few training-mode forwards so batch-norm running statistics move away from (0, 1).</summary>
    public static void WarmUpRunningStats(Func<Tensor, Tensor> forward, int[] inputShape, int steps = 2)
    {
        using var noGrad = GradMode.NoGrad();
        for (int i = 0; i < steps; i++) forward(Normal(inputShape, 100 + (ulong)i));
    }

    public static long Count(IEnumerable<Tensor> tensors) => tensors.Sum(t => (long)t.Count);

    public static IEnumerable<Module> Descendants(Module module)
    {
        yield return module;
        foreach (var (_, child) in module.NamedChildren())
            foreach (var m in Descendants(child)) yield return m;
    }
}
