using RocketNet.Training.Optim;
using Xunit;

namespace RocketNet.Tests.Training;

/// <summary>Optimisers against hand-written double-precision references of PyTorch's update rules.</summary>
public class OptimizerTests
{
    // 37 values: one 32-wide (or two 16-wide) vector block plus a scalar tail, so both paths are checked.
    private const int Size = 37;

    private static (Tensor Parameter, float[][] Gradients) Problem(ulong seed, int steps)
    {
        var random = new RandomGenerator(seed);
        var p = Tensor.RandomNormal([Size], random).WithGrad();
        var grads = new float[steps][];
        for (int s = 0; s < steps; s++)
        {
            grads[s] = new float[Size];
            random.FillNormal(grads[s]);
        }
        return (p, grads);
    }

    private static void RunSteps(Optimizer optimizer, Tensor p, float[][] grads, int from, int to)
    {
        for (int s = from; s < to; s++)
        {
            p.Grad ??= Tensor.Zeros(Size);
            grads[s].CopyTo(p.Grad.Data);
            optimizer.Step();
        }
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance = 2e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(0.0, false, 0.0)]
    [InlineData(0.0, false, 0.01)]
    [InlineData(0.9, false, 5e-4)]
    [InlineData(0.9, true, 5e-4)]
    [InlineData(0.5, false, 0.0)]
    public void SgdMatchesPyTorchSemanticsOverSeveralSteps(double momentum, bool nesterov, double weightDecay)
    {
        const double lr = 0.1;
        var (p, grads) = Problem(11, 4);
        double[] reference = p.ToArray().Select(v => (double)v).ToArray();
        double[]? buffer = null;
        foreach (var g in grads)
        {
            var d = new double[Size];
            for (int i = 0; i < Size; i++) d[i] = g[i] + weightDecay * reference[i];
            if (momentum != 0)
            {
                if (buffer is null) buffer = (double[])d.Clone();
                else for (int i = 0; i < Size; i++) buffer[i] = momentum * buffer[i] + d[i];
                for (int i = 0; i < Size; i++) d[i] = nesterov ? d[i] + momentum * buffer[i] : buffer[i];
            }
            for (int i = 0; i < Size; i++) reference[i] -= lr * d[i];
        }
        var sgd = new Sgd([p], lr, momentum, nesterov, weightDecay);
        RunSteps(sgd, p, grads, 0, grads.Length);
        AssertClose(reference, p.ToArray());
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.1)]
    public void AdamAndAdamWMatchPyTorchSemanticsOverSeveralSteps(bool decoupled, double weightDecay)
    {
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var (p, grads) = Problem(12, 5);
        double[] w = p.ToArray().Select(v => (double)v).ToArray();
        var m = new double[Size];
        var v = new double[Size];
        for (int t = 1; t <= grads.Length; t++)
        {
            for (int i = 0; i < Size; i++)
            {
                if (decoupled) w[i] *= 1 - lr * weightDecay;
                double g = grads[t - 1][i] + (decoupled ? 0 : weightDecay * w[i]);
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t)), vHat = v[i] / (1 - Math.Pow(b2, t));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        Optimizer adam = decoupled ? new AdamW([p], lr, weightDecay: weightDecay) : new Adam([p], lr,
            weightDecay: weightDecay);
        RunSteps(adam, p, grads, 0, grads.Length);
        AssertClose(w, p.ToArray());
    }

    [Fact]
    public void SgdFirstMomentumStepIsThePlainGradientStep()
    {
        var p = Tensor.FromArray([1f, -2f]).WithGrad();
        p.Grad = Tensor.FromArray([0.5f, 0.25f]);
        new Sgd([p], 0.1, momentum: 0.9).Step();
        Assert.Equal([0.95f, -2.025f], p.ToArray());
    }

    [Fact]
    public void ParametersWithoutGradientAreSkippedAndKeepNoState()
    {
        var used = Tensor.FromArray([1f, 2f]).WithGrad();
        var unused = Tensor.FromArray([3f, 4f]).WithGrad();
        used.Grad = Tensor.FromArray([1f, 1f]);
        var sgd = new Sgd([used, unused], 0.5, momentum: 0.9, weightDecay: 0.1);
        sgd.Step();
        Assert.Equal([3f, 4f], unused.ToArray());
        Assert.Equal(["momentum_buffer.0"], sgd.GetState().Keys);
        var adam = new Adam([used, unused], 0.1);
        adam.Step();
        Assert.Equal([3f, 4f], unused.ToArray());
        Assert.Equal(0, adam.StepCount(1));
    }

    [Fact]
    public void ResetMomentumMakesTheNextStepAFirstStep()
    {
        var (p, grads) = Problem(13, 3);
        var q = p.Clone().WithGrad();
        var a = new Sgd([p], 0.1, momentum: 0.9);
        RunSteps(a, p, grads, 0, 2);
        a.ResetMomentum();
        RunSteps(a, p, grads, 2, 3);
        // The same as two steps, then a fresh optimiser for the third.
        var b = new Sgd([q], 0.1, momentum: 0.9);
        RunSteps(b, q, grads, 0, 2);
        RunSteps(new Sgd([q], 0.1, momentum: 0.9), q, grads, 2, 3);
        Assert.Equal(q.ToArray(), p.ToArray());
    }

    public static TheoryData<string> OptimizerKinds => ["sgd", "nesterov", "adam", "adamw"];

    private static Optimizer Make(string kind, Tensor p) => kind switch
    {
        "sgd" => new Sgd([p], 0.05, momentum: 0.9, weightDecay: 5e-4),
        "nesterov" => new Sgd([p], 0.05, momentum: 0.9, nesterov: true),
        "adam" => new Adam([p], 0.01, weightDecay: 1e-3),
        _ => new AdamW([p], 0.01),
    };

    [Theory]
    [MemberData(nameof(OptimizerKinds))]
    public void SavedStateResumesBitForBit(string kind)
    {
        var (p, grads) = Problem(14, 6);
        var q = p.Clone().WithGrad();
        var straight = Make(kind, p);
        RunSteps(straight, p, grads, 0, 6);

        var first = Make(kind, q);
        RunSteps(first, q, grads, 0, 3);
        var saved = first.GetState();
        var resumed = Make(kind, q);
        resumed.LoadState(saved);
        RunSteps(resumed, q, grads, 3, 6);
        Assert.Equal(p.ToArray(), q.ToArray());
    }

    [Fact]
    public void GetStateReturnsCopies()
    {
        var p = Tensor.FromArray([1f]).WithGrad();
        p.Grad = Tensor.FromArray([1f]);
        var sgd = new Sgd([p], 0.1, momentum: 0.9);
        sgd.Step();
        sgd.GetState()["momentum_buffer.0"][0] = 99f;
        Assert.Equal(1f, sgd.GetState()["momentum_buffer.0"][0]);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void ViewStateHasGetStatesValuesInTheOptimisersOwnArrays(string kind)
    {
        var (p, grads) = Problem(17, 3);
        var optimizer = Make(kind, p);
        RunSteps(optimizer, p, grads, 0, 2);
        var view = optimizer.ViewState();
        var copy = optimizer.GetState();
        Assert.Equal(copy.Keys.Order(), view.Keys.Order());
        foreach (var (key, values) in copy) Assert.Equal(values, view[key]);
        RunSteps(optimizer, p, grads, 2, 3);
        // The moments (or momentum buffer) of the view move with the optimiser; GetState's copies do not.
        string moving = kind == "sgd" ? "momentum_buffer.0" : "exp_avg.0";
        Assert.Equal(optimizer.GetState()[moving], view[moving]);
        Assert.NotEqual(copy[moving], view[moving]);
    }

    [Fact]
    public void BadStateAndArgumentsGiveClearErrors()
    {
        var p = Tensor.FromArray([1f, 2f]).WithGrad();
        var sgd = new Sgd([p], 0.1, momentum: 0.9);
        var wrongLength =
            Assert.Throws<ArgumentException>(
            () => sgd.LoadState(new Dictionary<string, float[]> { ["momentum_buffer.0"] = [1f] }));
        Assert.Contains("needs 2", wrongLength.Message);
        var unknown =
            Assert.Throws<ArgumentException>(
            () => sgd.LoadState(new Dictionary<string, float[]> { ["exp_avg.0"] = [1f, 2f] }));
        Assert.Contains("exp_avg.0", unknown.Message);
        Assert.Throws<ArgumentException>(
            () => sgd.LoadState(new Dictionary<string, float[]> { ["momentum_buffer.5"] = [1f, 2f] }));
        var incomplete =
            Assert.Throws<ArgumentException>(
            () => new Adam([p]).LoadState(new Dictionary<string, float[]> { ["step.0"] = [1f] }));
        Assert.Contains("incomplete", incomplete.Message);
        Assert.Throws<ArgumentException>(() => new Sgd([p, p], 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = double.NaN);
    }

    [Fact]
    public void ZeroGradClearsEveryGradient()
    {
        var p = Tensor.FromArray([1f, 2f]).WithGrad();
        p.Grad = Tensor.FromArray([3f, 4f]);
        new Sgd([p], 0.1).ZeroGrad();
        Assert.Equal([0f, 0f], p.Grad.ToArray());
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void UpdatesThatWouldLeaveSubnormalValuesStoreZero(string kind)
    {
        // Weight decay alone shrinks each weight of 2e-38 (or 1e-31: normal, but its products with activations
        // are subnormal) toward zero; the result (and the optimiser's moments) would slow every later GEMM and
        // every served request by an order of magnitude, so it must be 0. A normal-sized weight beside them is
        // updated as usual. Size 37 covers the vector and scalar paths.
        var values = Enumerable.Range(0, Size).Select(i => i % 2 == 0 ? 2e-38f : 1e-31f).ToArray();
        values[5] = 1f;
        var p = Tensor.FromArray(values).WithGrad();
        p.Grad = Tensor.Zeros(Size);
        p.Grad.Data[5] = 0.5f;
        Optimizer optimizer = kind switch
        {
            "sgd" => new Sgd([p], 0.9, weightDecay: 1),
            "momentum" => new Sgd([p], 0.9, momentum: 0.5, weightDecay: 1),
            "adam" => new Adam([p], 0.1, weightDecay: 1e-10),
            _ => new AdamW([p], 0.9, weightDecay: 1),
        };
        for (int step = 0; step < 3; step++) optimizer.Step();
        for (int i = 0; i < Size; i++)
        {
            if (i == 5)
                Assert.True(Math.Abs(p.Data[i]) > 0.01f && p.Data[i] != 1f,
                    $"{kind}: the normal weight became {p.Data[i]}");
            else Assert.True(p.Data[i] == 0f || Math.Abs(p.Data[i]) >= 1e-30f,
                $"{kind}: element {i} is tiny ({p.Data[i]:E})");
        }
        foreach (var (name, state) in optimizer.GetState())
            Assert.All(state,
                x => Assert.True(x == 0f || Math.Abs(x) >= 1e-30f || name.Contains("step", StringComparison.Ordinal),
                $"{kind}: {name} holds a tiny {x:E}"));
    }
}
