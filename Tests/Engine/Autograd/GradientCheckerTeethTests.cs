using RocketNet.Autograd;
using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

/// <summary>The checker must reject wrong backward passes, or every passing gradient property means nothing.</summary>
public class GradientCheckerTeethTests
{
    private enum Bug { None, SigmoidUsesY, MissingFactorTwo, IgnoresUpstream, Overwrites }

    /// <summary>Test-only op: y = sigmoid(x) or y = x², with an optionally broken backward.</summary>
    private sealed class BuggyFunction : Function
    {
        private readonly Tensor _x;
        private readonly Bug _bug;
        private readonly bool _square;

        private BuggyFunction(Tensor x, Bug bug, bool square) : base(x) => (_x, _bug, _square) = (x, bug, square);

        public override string Name => "Buggy";

        public static Tensor Apply(Tensor x, Bug bug, bool square)
        {
            var y = Tensor.Create(x.Shape.ToArray(), clear: false);
            for (int i = 0; i < x.Count; i++) y.Data[i] = square ? x.Data[i]
                * x.Data[i] : 1f / (1f + MathF.Exp(-x.Data[i]));
            if (GradMode.IsEnabled && x.RequiresGrad) y.SetGradFn(new BuggyFunction(x, bug, square));
            return y;
        }

        protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
        {
            var dx = GradSink(_x);
            for (int i = 0; i < dx.Length; i++)
            {
                float y = output.Data[i], x = _x.Data[i];
                float local = _square
                    ? (_bug == Bug.MissingFactorTwo ? x : 2 * x)
                    : (_bug == Bug.SigmoidUsesY ? y : y * (1 - y));
                float upstream = _bug == Bug.IgnoresUpstream ? 1f : gradOutput[i];
                if (_bug == Bug.Overwrites) dx[i] = local * upstream;
                else dx[i] += local * upstream;
            }
        }
    }

    private static Tensor Input(int seed) => TestData.Uniform([3, 4], new RandomGenerator((ulong)seed), -2, 2);

    [Fact]
    public void CorrectBackwardPasses()
    {
        Assert.True(GradientCheck.Run(x => BuggyFunction.Apply(x[0], Bug.None, square: false), [Input(1)]).Passed);
        Assert.True(GradientCheck.Run(x => BuggyFunction.Apply(x[0], Bug.None, square: true), [Input(2)]).Passed);
    }

    [Fact]
    public void SigmoidBackwardUsingYInsteadOfYTimesOneMinusYFails()
    {
        var result = GradientCheck.Run(x => BuggyFunction.Apply(x[0], Bug.SigmoidUsesY, square: false), [Input(3)],
            what: "buggy sigmoid");
        Assert.False(result.Passed);
        Assert.Contains("input #0", result.Message);
        Assert.Contains("analytic", result.Message);
        Assert.Contains("numeric", result.Message);
        Assert.Contains("buggy sigmoid", result.Message);
    }

    [Fact]
    public void MissingFactorTwoFailsAndReportsTheRatio()
    {
        var result = GradientCheck.Run(x => BuggyFunction.Apply(x[0], Bug.MissingFactorTwo, square: true), [Input(4)]);
        Assert.False(result.Passed);
        Assert.Contains("Ratio analytic/numeric = 0.5", result.Message);
    }

    [Fact]
    public void BackwardIgnoringTheUpstreamGradientFails()
    {
        // Only caught because the checker weights the output with a random R instead of summing it.
        var result = GradientCheck.Run(x => BuggyFunction.Apply(x[0], Bug.IgnoresUpstream, square: true), [Input(5)]);
        Assert.False(result.Passed);
    }

    [Fact]
    public void BackwardThatOverwritesInsteadOfAccumulatingFailsWhenTheInputIsUsedTwice()
    {
        var result = GradientCheck.Run(x => BuggyFunction.Apply(x[0], Bug.Overwrites, square: true)
            + x[0] * 3f, [Input(6)]);
        Assert.False(result.Passed);
    }

    [Fact]
    public void AssertThrowsWithTheDiagnosis()
    {
        var ex = Assert.Throws<GradientCheckException>(() =>
            GradientCheck.Assert(x => BuggyFunction.Apply(x[0], Bug.SigmoidUsesY, square: false), [Input(7)]));
        Assert.Contains("Backward", ex.Message);
    }

    [Fact]
    public void RandomDirectionCheckCatchesErrorsInUnsampledElements()
    {
        // With only 1 element sampled per input, the per-element pass can miss a bug that the direction check sees.
        var result = GradientCheck.Run(x => BuggyFunction.Apply(x[0], Bug.MissingFactorTwo, square: true),
            [TestData.Uniform([200], new RandomGenerator(8), 0.5f, 2f)], maxElementsPerInput: 0);
        Assert.False(result.Passed);
        Assert.Contains("random-direction", result.Message);
    }
}
