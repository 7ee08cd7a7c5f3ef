using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine;

public class DeterministicMathTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(Math.E)]
    [InlineData(1e-300)]
    [InlineData(1e300)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(0.7071067811865476)]
    [InlineData(1.4142135623730951)]
    public void MatchesMathLog(double x) => AssertClose(x);

    [Property(MaxTest = 200)]
    public bool MatchesMathLogOnRandomPositives(int mantissaSeed, short exponent)
    {
        double x = (Math.Abs((long)mantissaSeed) + 1) * Math.Pow(2, exponent % 1000);
        AssertClose(x);
        return true;
    }

    [Fact]
    public void LogOfOneIsExactlyZero() => Assert.Equal(0.0, DeterministicMath.Log(1.0));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RejectsNonPositiveOrNonFinite(double x) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DeterministicMath.Log(x));

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-1.0)]
    [InlineData(0.34657359027997264)]
    [InlineData(-20.5)]
    [InlineData(36.7)]
    [InlineData(700.0)]
    [InlineData(-700.0)]
    public void ExpMatchesMathExp(double x) => AssertExpClose(x);

    [Property(MaxTest = 200)]
    public bool ExpMatchesMathExpOnRandomArguments(int numerator)
    {
        AssertExpClose(numerator % 1_400_000 / 2000.0);
        return true;
    }

    [Fact]
    public void ExpSaturatesAndRejectsNaN()
    {
        Assert.Equal(1.0, DeterministicMath.Exp(0));
        Assert.Equal(double.PositiveInfinity, DeterministicMath.Exp(1000));
        Assert.Equal(0.0, DeterministicMath.Exp(-1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeterministicMath.Exp(double.NaN));
    }

    private static void AssertExpClose(double x)
    {
        double expected = Math.Exp(x), actual = DeterministicMath.Exp(x);
        Assert.True(Math.Abs(actual - expected) <= 1e-14 * expected,
            $"Exp({x:R}) = {actual:R}, Math.Exp = {expected:R}");
    }

    private static void AssertClose(double x)
    {
        double expected = Math.Log(x), actual = DeterministicMath.Log(x);
        double error = Math.Abs(actual - expected);
        // ~1e-14 relative; near x = 1 (log ≈ 0) an absolute 1e-15 bound instead.
        Assert.True(error <= 1e-14 * Math.Abs(expected) || error <= 1e-15,
            $"Log({x:R}) = {actual:R}, Math.Log = {expected:R}, error {error:G3}");
    }
}
