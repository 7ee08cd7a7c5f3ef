using RocketNet.Training.Optim;
using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

/// <summary>
/// A row-sparse table gradient is kept compact (the touched rows packed, no table-sized buffer): its values must be
/// the bits of the dense scatter, whole or packed, however many rows it grows to; it must cost memory in the rows
/// looked up, not the table; and once warm a step allocates nothing.
/// </summary>
public class CompactRowGradientTests
{
    private const int Width = 8;

    // Lookups of `ids` with loss Σ_i Σ_d y[i, d]·w[i, d]: dy = w exactly, so row r's gradient is Σ_{ids_i = r} w_i.
    private static void Backward(Tensor table, int[] ids, float[] w)
    {
        using var scope = TensorScope.Begin();
        var y = Functional.Embedding(table, ids, [ids.Length]);
        (y * Tensor.FromArray(w, ids.Length, Width)).Sum().Backward();
    }

    private static (int[] Ids, float[] W) Batch(RandomGenerator rng, int count, int rows)
    {
        var ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = rng.NextInt(rows);
        var w = new float[count * Width];
        rng.FillUniform(w, -1, 1);
        return (ids, w);
    }

    [Fact]
    public void PackedAndDenseScattersGiveTheSameBitsAsAPlainLoop()
    {
        using var unscoped = TensorScope.Unscoped();
        const int rows = 1000;
        var rng = new RandomGenerator(11);
        var sparse = TestData.Uniform([rows, Width], rng).WithGrad();
        var dense = sparse.Clone().WithGrad();
        dense.Grad = Tensor.Zeros(rows, Width); // a dense gradient: the scatter adds into the whole buffer
        var reference = new float[rows * Width];
        // Two backward passes of 3,000 lookups each: hundreds of distinct rows, so the packed buffer grows often.
        for (int pass = 0; pass < 2; pass++)
        {
            var (ids, w) = Batch(rng, 3000, rows);
            Backward(sparse, ids, w);
            Backward(dense, ids, w);
            for (int i = 0; i < ids.Length; i++)
                for (int d = 0; d < Width; d++) reference[ids[i] * Width + d] += w[i * Width + d];
        }
        Assert.False(dense.TryGetRowSparseGrad(out _, out _));
        Assert.True(sparse.TryGetRowSparseGrad(out var touched, out var packed));
        Assert.True(touched.Length > 64, $"only {touched.Length} rows: the buffer never grew");
        Assert.Equal(touched.Length * Width, packed.Length);
        var denseGrad = dense.Grad!.ToArray();
        for (int slot = 0; slot < touched.Length; slot++)
            Assert.Equal(reference.AsSpan(touched[slot] * Width, Width).ToArray(),
                packed.Slice(slot * Width, Width).ToArray());
        Assert.Equal(reference, denseGrad);
        Assert.Equal(reference, sparse.Grad!.ToArray()); // made whole: a table-sized buffer, every other row zero
    }

    [Fact]
    public void AfterZeroGradTheWholeGradientReadsAsZerosThoughNoDenseBufferWasMade()
    {
        using var unscoped = TensorScope.Unscoped();
        var rng = new RandomGenerator(12);
        var table = TestData.Uniform([50, Width], rng).WithGrad();
        var (ids, w) = Batch(rng, 20, 50);
        Backward(table, ids, w);
        table.ZeroGrad();
        Assert.False(table.TryGetRowSparseGrad(out _, out _));
        Assert.Equal(new float[50 * Width], table.Grad!.ToArray());
        // A dense gradient made from the packed rows is cleared again when a later step is row-sparse.
        Backward(table, [3], Enumerable.Repeat(2f, Width).ToArray());
        var expected = new float[50 * Width];
        for (int d = 0; d < Width; d++) expected[3 * Width + d] = 2f;
        Assert.Equal(expected, table.Grad!.ToArray());
    }

    [Fact]
    public void TheFirstBackwardAllocatesForTheRowsLookedUpNotForTheTable()
    {
        using var unscoped = TensorScope.Unscoped();
        var rng = new RandomGenerator(13);
        var table = Tensor.Zeros(1_000_000, Width).WithGrad(); // 32 MB: a table-sized gradient would show
        var (ids, w) = Batch(rng, 256, 1_000_000);
        Backward(table, ids, w); // warms the code paths and pools; then a second table, cold
        var second = Tensor.Zeros(1_000_000, Width).WithGrad();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Backward(second, ids, w);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"the first backward allocated {allocated:N0} bytes");
        Assert.True(second.TryGetRowSparseGrad(out _, out _));
    }

    [Fact]
    public void WarmStepsOfScatterAndLazyAdamAllocateNothing()
    {
        using var unscoped = TensorScope.Unscoped();
        var rng = new RandomGenerator(14);
        var table = TestData.Uniform([10_000, Width], rng).WithGrad();
        var lazy = new LazyAdam([table], [table], 0.01);
        var batches = new[] { Batch(rng, 700, 10_000), Batch(rng, 300, 10_000), Batch(rng, 1000, 10_000) };
        void Step(int[] ids, float[] w)
        {
            lazy.ZeroGrad();
            Span<float> sink = table.GradForRowScatter(ids, out var slots);
            for (int i = 0; i < ids.Length; i++)
                for (int d = 0; d < Width; d++) sink[slots[i] * Width + d] += w[i * Width + d];
            lazy.Step();
        }
        foreach (var (ids, w) in batches) Step(ids, w); // the largest batch sizes every buffer
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int repeat = 0; repeat < 3; repeat++)
            foreach (var (ids, w) in batches) Step(ids, w);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
