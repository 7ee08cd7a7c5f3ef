using RocketNet.Training.Optim;
using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

/// <summary>
/// An embedding table's gradient stays row-sparse (only the looked-up rows cleared and written) until someone asks
/// for all of it; every reader must see exactly the dense gradient, and LazyAdam on the rows must give the bits
/// of LazyAdam scanning the whole table.
/// </summary>
public class RowSparseGradientTests
{
    private static Tensor Table(int seed) => TestData.Uniform([6, 3], new RandomGenerator((ulong)seed)).WithGrad();

    // loss = Σ_i c_i · Σ_d table[ids_i, d]·(d + 1): row r's gradient is Σ over its lookups of c_i·(d + 1).
    private static void Backward(Tensor table, int[] ids, float scale = 1f)
    {
        using var scope = TensorScope.Begin();
        var y = Functional.Embedding(table, ids, [ids.Length]);
        var weights = new float[ids.Length * 3];
        for (int i = 0; i < ids.Length; i++)
            for (int d = 0; d < 3; d++) weights[i * 3 + d] = scale * (i + 1) * (d + 1);
        (y * Tensor.FromArray(weights, ids.Length, 3)).Sum().Backward();
    }

    private static float[] DenseGradient(int[] ids, float scale = 1f)
    {
        var g = new float[18];
        for (int i = 0; i < ids.Length; i++)
            for (int d = 0; d < 3; d++) g[ids[i] * 3 + d] += scale * (i + 1) * (d + 1);
        return g;
    }

    [Fact]
    public void ALookupLeavesARowSparseGradientThatReadsAsTheDenseOne()
    {
        using var unscoped = TensorScope.Unscoped();
        var table = Table(1);
        Backward(table, [4, 1, 4]);
        Assert.True(table.TryGetRowSparseGrad(out var rows, out var values));
        Assert.Equal(new[] { 4, 1 }, rows.ToArray()); // first-touch order, no repeats
        var expected = DenseGradient([4, 1, 4]);
        Assert.Equal(6, values.Length); // two rows packed by slot, not the table's 18 values
        for (int slot = 0; slot < 2; slot++)
            Assert.Equal(expected.AsSpan(rows[slot] * 3, 3).ToArray(), values.Slice(slot * 3, 3).ToArray());
        Assert.Equal(expected, table.Grad!.ToArray()); // made whole: every other row zero
        Assert.False(table.TryGetRowSparseGrad(out _, out _));
    }

    [Fact]
    public void RowsOfAnEarlierStepReadAsZeroAfterZeroGrad()
    {
        using var unscoped = TensorScope.Unscoped();
        var table = Table(2);
        Backward(table, [0, 2, 5]);
        Assert.True(table.TryGetRowSparseGrad(out _, out _));
        table.ZeroGrad();
        Backward(table, [3]);
        Assert.True(table.TryGetRowSparseGrad(out var rows, out _));
        Assert.Equal(new[] { 3 }, rows.ToArray());
        Assert.Equal(DenseGradient([3]), table.Grad!.ToArray()); // rows 0, 2, 5 held stale values: cleared now
    }

    [Fact]
    public void TwoLookupsAndASecondBackwardAccumulateOverTheUnionOfRows()
    {
        using var unscoped = TensorScope.Unscoped();
        var table = Table(3);
        table.ZeroGrad();
        Backward(table, [1, 2]);
        Backward(table, [2, 5], scale: 2f);
        Assert.True(table.TryGetRowSparseGrad(out var rows, out _));
        Assert.Equal(new[] { 1, 2, 5 }, rows.ToArray());
        var expected = DenseGradient([1, 2]);
        var second = DenseGradient([2, 5], 2f);
        for (int i = 0; i < 18; i++) expected[i] += second[i];
        Assert.Equal(expected, table.Grad!.ToArray());
    }

    [Fact]
    public void TheCallerMayReuseItsIndexArrayBeforeBackward()
    {
        using var unscoped = TensorScope.Unscoped();
        var table = Table(7);
        int[] ids = [2, 3];
        using (TensorScope.Begin())
        {
            var y = Functional.Embedding(table, ids);
            ids[0] = 5; // the op kept its own copy
            y.Sum().Backward();
        }
        var expected = new float[18];
        for (int d = 0; d < 3; d++) expected[6 + d] = expected[9 + d] = 1f;
        Assert.Equal(expected, table.Grad!.ToArray());
    }

    [Fact]
    public void ADenseUseOfTheSameTableMakesTheGradientDense()
    {
        using var unscoped = TensorScope.Unscoped();
        var table = Table(4);
        using (TensorScope.Begin())
        {
            var y = Functional.Embedding(table, [1], [1]);
            (y.Sum() + table.Sum()).Backward(); // the table's own Sum touches every row
        }
        Assert.False(table.TryGetRowSparseGrad(out _, out _));
        var expected = Enumerable.Repeat(1f, 18).ToArray();
        for (int d = 0; d < 3; d++) expected[3 + d] = 2f;
        Assert.Equal(expected, table.Grad!.ToArray());
    }

    [Fact]
    public void LazyAdamOnTheLookedUpRowsGivesTheBitsOfScanningTheWholeTable()
    {
        using var unscoped = TensorScope.Unscoped();
        var (sparse, dense) = (Table(5), Table(5));
        var lazySparse = new LazyAdam([sparse], [sparse], 0.01, weightDecay: 0.1);
        var lazyDense = new LazyAdam([dense], [dense], 0.01, weightDecay: 0.1);
        int[][] batches = [[1, 4, 1], [0, 4], [5, 5, 2], [3]];
        foreach (var ids in batches)
        {
            lazySparse.ZeroGrad();
            lazyDense.ZeroGrad();
            Backward(sparse, ids);
            Backward(dense, ids);
            Assert.True(sparse.TryGetRowSparseGrad(out _, out _));
            _ = dense.Grad; // made whole: LazyAdam scans every row
            Assert.False(dense.TryGetRowSparseGrad(out _, out _));
            lazySparse.Step();
            lazyDense.Step();
        }
        Assert.Equal(dense.ToArray(), sparse.ToArray());
        Assert.Equal(lazyDense.GetState()["exp_avg_sq.0"], lazySparse.GetState()["exp_avg_sq.0"]);
    }

    [Fact]
    public void AdamMakesARowSparseGradientWholeAndMovesEveryRow()
    {
        using var unscoped = TensorScope.Unscoped();
        var (sparse, reference) = (Table(6), Table(6));
        var adam = new Adam([sparse], 0.01, weightDecay: 0.1);
        var adamReference = new Adam([reference], 0.01, weightDecay: 0.1);
        Backward(sparse, [2]);
        reference.Grad = Tensor.FromArray(DenseGradient([2]), 6, 3);
        adam.Step();
        adamReference.Step();
        Assert.Equal(reference.ToArray(), sparse.ToArray());
    }
}
