using RocketNet.Training.Optim;
using Xunit;

namespace RocketNet.Tests.Training;

/// <summary>LazyAdam: Adam on the rows a batch used, nothing on the others.</summary>
public class LazyAdamTests
{
    // table: [4 rows, 3], dense: [5]. Gradients touch rows 0 and 2 only.
    private static (Tensor Table, Tensor Dense) Parameters()
    {
        var rng = new RandomGenerator(3);
        return (TestData.Uniform([4, 3], rng).WithGrad(), TestData.Uniform([5], rng).WithGrad());
    }

    private static void SetGradients(Tensor table, Tensor dense, int step)
    {
        var g = new float[12];
        for (int c = 0; c < 3; c++) { g[c] = 0.1f * (c + 1) + step; g[6 + c] = -0.2f * (c + 1) - step; }
        table.Grad = Tensor.FromArray(g, 4, 3);
        dense.Grad = Tensor.FromArray([0.5f, -0.1f, 0.3f + step, 0f, 1f], 5);
    }

    [Fact]
    public void UntouchedRowsKeepTheirValuesAndTouchedRowsAndDenseParametersMatchAdam()
    {
        using var scope = TensorScope.Unscoped();
        var (table, dense) = Parameters();
        var (adamTable, adamDense) = (table.Clone().WithGrad(), dense.Clone().WithGrad());
        var before = table.ToArray();
        var lazy = new LazyAdam([table, dense], [table], 0.01, weightDecay: 0.1);
        var adam = new Adam([adamTable, adamDense], 0.01, weightDecay: 0.1);
        for (int step = 0; step < 3; step++)
        {
            SetGradients(table, dense, step);
            SetGradients(adamTable, adamDense, step);
            lazy.Step();
            adam.Step();
        }
        var (t, a) = (table.ToArray(), adamTable.ToArray());
        for (int i = 0; i < 12; i++)
        {
            bool touched = i / 3 is 0 or 2;
            if (touched) Assert.Equal(a[i], t[i]);       // same arithmetic, same bits
            else
            {
                Assert.Equal(before[i], t[i]);           // no update, no weight decay
                Assert.NotEqual(before[i], a[i]);        // dense Adam decays and moves it
            }
        }
        Assert.Equal(adamDense.ToArray(), dense.ToArray());
        // The untouched rows' moments stay zero, so a first real gradient later is a first Adam step for them.
        var state = lazy.GetState();
        Assert.All(state["exp_avg.0"].Skip(3).Take(3), m => Assert.Equal(0f, m));
    }

    [Fact]
    public void ARowSparseTensorMustBeAParameterAndATable()
    {
        using var scope = TensorScope.Unscoped();
        var (table, dense) = Parameters();
        Assert.Contains("not one of the optimiser's parameters",
            Assert.Throws<ArgumentException>(() => new LazyAdam([dense], [table])).Message);
        Assert.Contains("[rows, width]",
            Assert.Throws<ArgumentException>(() => new LazyAdam([dense], [dense])).Message);
    }
}
