using Xunit;

namespace RocketNet.Tests.Engine;

/// <summary>
/// Tensor storage starts its values on a 64-byte line (whole-vector loads never split one), wherever the array
/// comes from, and views share both the array and that start.
/// </summary>
public class TensorStorageTests
{
    private static unsafe long LineOffset(Tensor t)
    {
        fixed (float* p = t.Data) return (long)p & 63;
    }

    [Theory]
    [InlineData(30_000)]    // just past the large-object heap's 85 KB, whose arrays the GC never moves
    [InlineData(576 * 200)] // the CTR tower's first weight matrix
    public void ValuesStartOnA64ByteLineInAndOutOfAScope(int count)
    {
        Assert.Equal(0, LineOffset(Tensor.Zeros(count)));
        Assert.Equal(0, LineOffset(Tensor.RandomUniform([count], new RandomGenerator(1), -1, 1)));
        using (TensorScope.Begin())
        {
            for (int i = 0; i < 3; i++) Assert.Equal(0, LineOffset(Tensor.Zeros(count))); // pooled arrays too
        }
    }

    [Fact]
    public void GradientsOfParametersStartOnA64ByteLine()
    {
        // 4096 floats: below the large-object heap; persistent storage goes on the pinned heap instead.
        var parameter = Tensor.Zeros(4096).WithGrad();
        (parameter * 2f).Sum().Backward();
        GC.Collect(); // pinned: a compacting collection leaves it where it is
        Assert.Equal(0, LineOffset(parameter.Grad!));
        Assert.Equal(4096, parameter.Grad!.Data.Length);
        Assert.All(parameter.Grad!.ToArray(), g => Assert.Equal(2f, g));
    }

    /// <summary>Identity that records where the gradient reaching it starts.</summary>
    private sealed class ProbeFunction(Tensor x) : RocketNet.Autograd.Function(x)
    {
        public long GradientLineOffset = -1;

        public override string Name => "Probe";

        public static Tensor Apply(Tensor x, out ProbeFunction probe)
        {
            var y = x.Clone();
            probe = new ProbeFunction(x);
            y.SetGradFn(probe);
            return y;
        }

        protected internal override unsafe void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
        {
            fixed (float* p = gradOutput) GradientLineOffset = (long)p & 63;
            var sink = GradSink(x);
            if (!sink.IsEmpty) gradOutput.CopyTo(sink);
        }
    }

    [Fact]
    public void GradientsReachingAnOpStartOnA64ByteLine()
    {
        var x = Tensor.Zeros(30_000).WithGrad();
        var y = ProbeFunction.Apply(x, out var probe);
        (y * 3f).Sum().Backward(); // y's gradient is a rented buffer (30,000 floats: large-object heap)
        Assert.Equal(0, probe.GradientLineOffset);
        Assert.All(x.Grad!.ToArray(), g => Assert.Equal(3f, g));
    }

    [Fact]
    public void ViewsShareTheValuesAndTheirStart()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var flat = x.Reshape(6);
        var detached = x.Detach();
        flat.Data[4] = 50f;
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 50f, 6f }, detached.ToArray());
        Assert.Equal(x.ToArray(), flat.ToArray());
        var copy = x.Clone();
        x.Data[0] = -1f;
        Assert.Equal(1f, copy.Data[0]);
        Assert.Equal(3f, Tensor.FromArray([3f]).Item());
        Assert.Contains("{-1, 2, 3, 4, 50, 6}", x.ToString());
    }

    [Fact]
    public void ScopedStorageIsStillRecycledByShape()
    {
        float[] values = [1, 2, 3];
        float[] first, second;
        using (TensorScope.Begin()) first = Tensor.FromArray(values).Storage;
        using (TensorScope.Begin()) second = Tensor.FromArray(values).Storage;
        Assert.Same(first, second);
    }
}
