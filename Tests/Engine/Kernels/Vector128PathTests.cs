using RocketNet.Kernels;
using RocketNet.Tests.Training;
using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// The 128-bit paths an ARM64 machine runs, exercised on x64 by capping <see cref="VectorWidth.MaxBits"/> at 128:
/// each class below reruns every test of a kernel family's class (against its reference, across thread counts,
/// allocation-free) with the cap set for the whole test. The cap is process-wide, so these run in a collection of
/// their own, alone.
/// </summary>
[Collection(VectorWidthCollection.Name)]
public sealed class Vector128PathTests : IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();

    [Fact]
    public void CapSelectsTheVector128KernelAndTurnsOffTheAvx512Paths()
    {
        var expected = VectorWidth.FusedMultiplyAdd128 ? GemmKernelKind.Vector128 : GemmKernelKind.Scalar;
        Assert.Equal(expected, Gemm.PackedKind);
        Assert.False(VectorWidth.Use512);
        Assert.False(VectorWidth.Use256);
        Assert.False(ImplicitConvolution.Available);
        Assert.False(Winograd.Available);
    }

    [Fact]
    public void RaisingTheCapAgainRestoresTheWidestKernel()
    {
        using (new VectorWidthCap(512))
        {
            var widest = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? GemmKernelKind.Vector512
                : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated
                  && System.Runtime.Intrinsics.X86.Fma.IsSupported ? GemmKernelKind.Vector256
                : VectorWidth.FusedMultiplyAdd128 ? GemmKernelKind.Vector128 : GemmKernelKind.Scalar;
            Assert.Equal(widest, Gemm.PackedKind);
        }
        Assert.Equal(128, VectorWidth.MaxBits);
    }

    [Theory]
    [InlineData(null, 512)]
    [InlineData("", 512)]
    [InlineData(" 128 ", 128)]
    [InlineData("256", 256)]
    [InlineData("512", 512)]
    public void EnvironmentValueParses(string? value, int bits) => Assert.Equal(bits, VectorWidth.Parse(value));

    [Theory]
    [InlineData("64")]
    [InlineData("1024")]
    [InlineData("avx")]
    public void BadEnvironmentValueNamesTheVariableAndTheChoices(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => VectorWidth.Parse(value));
        Assert.Contains(VectorWidth.EnvironmentVariable, e.Message);
        Assert.Contains("128, 256 or 512", e.Message);
    }

    [Theory]
    [InlineData(3, 11)] // OW = 5: one step of four windows and a scalar window; odd row and column left over
    [InlineData(4, 16)] // OW = 8: two steps
    public void TwoByTwoMaxPoolMatchesTheReferenceWithTiesAndNaN(int height, int width)
    {
        var g = new PoolGeometry(2, 3, height, width, 2, 2, 2, 2, 0, 0);
        int planes = g.N * g.C, outPlane = g.OutHeight * g.OutWidth;
        var x = new float[planes * height * width];
        for (int i = 0; i < x.Length; i++) x[i] = i * 7 % 5; // many ties: the first maximum must win
        for (int i = 3; i < x.Length; i += 13) x[i] = float.NaN; // NaN in every tap position, vector part and tail
        float[] y = new float[planes * outPlane], expectedY = new float[y.Length];
        int[] indices = new int[y.Length], expectedIndices = new int[y.Length];
        Assert.True(MaxPool2x2Vector128.Applies(g));
        PoolingKernels.MaxPoolForward(g, x, y, indices);
        PoolingReference.MaxPoolForward(g, x, expectedY, expectedIndices);
        Assert.Equal(expectedY, y);
        Assert.Equal(expectedIndices, indices);
    }

    [Fact]
    public void BadCapThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorWidth.MaxBits = 64);
}

/// <summary><see cref="GemmTests"/> on the Vector128 micro-kernel (random shapes, edges, 1 vs 2 threads).</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class GemmTestsAt128Bits : GemmTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="PackedLinearWeightTests"/> where the weight gets no AVX-512 panels.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class PackedLinearWeightTestsAt128Bits : PackedLinearWeightTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="BatchNormKernelTests"/> on the Lanes128 row loops.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class BatchNormKernelTestsAt128Bits : BatchNormKernelTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="BatchNormReluKernelTests"/> on the Lanes128 row loops.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class BatchNormReluKernelTestsAt128Bits : BatchNormReluKernelTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="ConvolutionKernelTests"/> on im2col and the Vector128 GEMM (no implicit kernels).</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class ConvolutionKernelTestsAt128Bits : ConvolutionKernelTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="PreparedConvolutionTests"/> without prepared implicit taps.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class PreparedConvolutionTestsAt128Bits : PreparedConvolutionTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="PoolingKernelTests"/> without the AVX-512 2×2 max pool.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class PoolingKernelTestsAt128Bits : PoolingKernelTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="OptimizerTests"/> on the Lanes128 fused updates.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class OptimizerTestsAt128Bits : OptimizerTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="ChunkedUpdateTests"/> (1 vs 2 threads) on the Lanes128 fused updates.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class ChunkedUpdateTestsAt128Bits : ChunkedUpdateTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary>Sets <see cref="VectorWidth.MaxBits"/> until disposed, then restores the previous cap.</summary>
internal sealed class VectorWidthCap : IDisposable
{
    private readonly int _saved = VectorWidth.MaxBits;

    public VectorWidthCap(int bits) => VectorWidth.MaxBits = bits;

    /// <inheritdoc/>
    public void Dispose() => VectorWidth.MaxBits = _saved;
}

/// <summary>Tests that change <see cref="VectorWidth.MaxBits"/> run one at a time, with nothing else running.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VectorWidthCollection
{
    public const string Name = "VectorWidth.MaxBits";
}
