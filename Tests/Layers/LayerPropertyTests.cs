using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Layers;

namespace RocketNet.Tests.Layers;

/// <summary>Properties over random sizes: embedding lookups and light-net extraction.</summary>
public class LayerPropertyTests
{
    private static Gen<(int[] Sizes, int Dim, int Rows, int Seed)> EmbeddingCases =>
        from fields in Gen.Choose(1, 5)
        from sizes in Gen.Choose(1, 9).ArrayOf(fields)
        from dim in Gen.Choose(1, 4)
        from rows in Gen.Choose(1, 6)
        from seed in TestData.Seed
        select (sizes, dim, rows, seed);

    [Property(MaxTest = 40)]
    public Property PerFieldEmbeddingReadsEachFieldsOwnRows() =>
        TestData.ForAll(EmbeddingCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var emb = MultiFieldEmbedding.PerField(c.Sizes, c.Dim, rng);
            int f = c.Sizes.Length;
            var ids = new float[c.Rows * f];
            for (int i = 0; i < ids.Length; i++) ids[i] = rng.NextInt(c.Sizes[i % f]);
            float[] y = emb.Forward(Tensor.FromArray(ids, c.Rows, f)).ToArray(), w = emb.Weight.ToArray();
            int offset = 0;
            for (int field = 0; field < f; field++)
            {
                for (int r = 0; r < c.Rows; r++)
                {
                    int row = offset + (int)ids[r * f + field];
                    for (int d = 0; d < c.Dim; d++)
                    {
                        if (y[(r * f + field) * c.Dim + d] != w[row * c.Dim + d])
                            throw new Exception($"row {r} field {field} dim {d}: expected table row {row}");
                    }
                }
                offset += c.Sizes[field];
            }
        });

    private static Gen<(int In, int[] Shared, int[] Booster, int[] Light, int Seed)> MlpCases =>
        from inputs in Gen.Choose(1, 6)
        from shared in Gen.Choose(1, 6).NonEmptyListOf().Select(l => l.Take(3).ToArray())
        from booster in Gen.Choose(1, 8).ListOf().Select(l => l.Take(3).ToArray())
        from light in Gen.Choose(1, 4).ListOf().Select(l => l.Take(2).ToArray())
        from seed in TestData.Seed
        select (inputs, shared, booster, light, seed);

    [Property(MaxTest = 30)]
    public Property ExtractedMlpLightNetMatchesThePairsLightPathAndDescriptionRoundTrips() =>
        TestData.ForAll(MlpCases, c =>
        {
            var pair = MlpPair.Create(c.In, c.Shared, c.Booster, c.Light, 3, new RandomGenerator((ulong)c.Seed));
            var x = Tensor.RandomNormal([2, c.In], new RandomGenerator((ulong)c.Seed + 1));
            float[] light = pair.ForwardPair(x).LightLogits.ToArray();
            if (!light.SequenceEqual(pair.ExtractLight().Forward(x).ToArray()))
                throw new Exception("extracted light net disagrees with the pair's light path");
            var rebuilt = ArchitectureRegistry.BuildLight(pair.Spec.Describe(), new RandomGenerator(0));
            if (rebuilt.ParameterCount() != pair.Light.ParameterCount())
                throw new Exception(
                    $"rebuilt from '{pair.Spec.Describe()}' has {rebuilt.ParameterCount()} parameters, light " +
                    $"net {pair.Light.ParameterCount()}");
        });
}
