using RocketNet.Kernels;
using RocketNet.Tests.Training;
using Xunit;
using Xunit.Abstractions;

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
        Assert.Equal(VectorWidth.FusedMultiplyAdd128, WinogradF43Convolution.Available);
        Assert.Equal(VectorWidth.FusedMultiplyAdd128, WinogradF23WeightGradient.Available);
        Assert.False(WinogradF23Convolution.Available);
    }

    [Theory]
    [InlineData(128, 16, 32, 32, 16, true)] // the WRN-16-1 shapes at batch 128
    [InlineData(128, 64, 8, 8, 64, true)]
    [InlineData(64, 32, 32, 32, 64, true)] // cnn's second and third convolutions
    [InlineData(7, 16, 8, 8, 16, true)] // 7 of 8 lanes of two groups of 4
    [InlineData(5, 16, 8, 8, 16, false)] // 5 of 8 lanes: implicit GEMM, which is im2col here
    [InlineData(128, 3, 32, 32, 16, false)] // the stem: too few channels
    public void CapPicksWinogradF43WhereItsLanesOfFourImagesAreFilled(int n, int c, int h, int w, int o,
        bool winograd)
    {
        if (!WinogradF43Convolution.Available) return;
        var g = WinogradContract.Make(n, c, h, w, o);
        Assert.Equal(4, WinogradF43Convolution.ImageLanes);
        var expected = winograd ? ConvolutionKernels.ForwardKernel.WinogradF43
            : ConvolutionKernels.ForwardKernel.ImplicitGemm;
        Assert.Equal(expected, ConvolutionKernels.ChooseForward(g));
        Assert.Equal(expected, ConvolutionKernels.DefaultForwardKernel(g));
        Assert.False(ConvolutionKernels.CanRunForward(ConvolutionKernels.ForwardKernel.WinogradF23, g));
    }

    [Theory]
    [InlineData(3, 5, 9, 9, 4)] // partial tiles, one image group not full, 12-tile panels half padding
    [InlineData(17, 16, 8, 8, 13)] // five groups, the last with one image; O not a multiple of 8
    [InlineData(4, 32, 16, 16, 32)]
    [InlineData(2, 7, 33, 35, 6)] // chunks of several tile rows, the last one short
    public void WinogradF43At128BitsGivesTheBitsOfItsAvx512Body(int n, int c, int h, int w, int o)
    {
        // Every lane does the same operations in the same order on either width (transforms lane by lane, channel
        // reductions as one FMA chain in channel order), so the two bodies agree to the bit where both run.
        if (!WinogradF43Convolution.Available) return;
        var g = WinogradContract.Make(n, c, h, w, o);
        var random = new Random(n * 31 + c);
        float[] x = KernelTestData.RandomArray(random, g.InputLength);
        float[] weights = KernelTestData.RandomArray(random, g.WeightLength);
        float[] bias = KernelTestData.RandomArray(random, o), residual = KernelTestData.RandomArray(random,
            g.OutputLength);
        float[] narrow = KernelTestData.RandomArray(new Random(5), g.OutputLength), wide = (float[])narrow.Clone();
        WinogradF43Convolution.Forward(g, x, weights, bias, narrow, residual, accumulate: true);
        using (new VectorWidthCap(512))
        {
            if (!Winograd.Available) return;
            WinogradF43Convolution.Forward(g, x, weights, bias, wide, residual, accumulate: true);
        }
        Assert.Equal(wide, narrow);
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

    [Theory]
    [InlineData(1, 1, 1, 1, 1)] // one pixel
    [InlineData(3, 5, 7, 6, 4)] // odd sizes, partial tiles; C = 5: one 4×4 block and a channel left over
    [InlineData(1, 17, 9, 33, 9)] // 17 tile columns, W = 33: a column left over by the 4×4 blocks
    [InlineData(1, 13, 32, 32, 17)] // O = 16 + 1: a padded block of 8 rows of Y'
    [InlineData(3, 32, 16, 16, 32)] // WRN 16×16 shape
    [InlineData(40, 7, 5, 3, 10)] // many images per chunk, more chunks than groups
    [InlineData(1, 40, 62, 16, 40)] // chunks of tile rows; C = 40: a 36-channel panel and a partial one
    public void WinogradF23WeightGradientAt128BitsGivesTheBitsOfItsAvx512Body(int n, int c, int h, int w, int o)
    {
        // The same chunks and groups, the same V and Y' values and each dU one FMA chain over tiles in order: the
        // 128-bit body reproduces the AVX-512 one to the bit where both run.
        if (!WinogradF23WeightGradient.Available) return;
        var g = WinogradContract.Make(n, c, h, w, o);
        var random = new Random(n * 7 + c);
        float[] x = KernelTestData.RandomArray(random, g.InputLength);
        float[] gradY = KernelTestData.RandomArray(random, g.OutputLength);
        float[] narrow = KernelTestData.RandomArray(random, g.WeightLength), wide = (float[])narrow.Clone();
        WinogradF23WeightGradient.BackwardWeight(g, x, gradY, narrow);
        using (new VectorWidthCap(512))
        {
            if (!Winograd.Available) return;
            WinogradF23WeightGradient.BackwardWeight(g, x, gradY, wide);
        }
        Assert.Equal(wide, narrow);
    }

    [Theory]
    [InlineData(128, 0)]
    [InlineData(128, 3)] // the scalar tail alone
    [InlineData(128, 17)] // four vectors and a tail
    [InlineData(256, 23)]
    [InlineData(512, 67)] // four 512-bit vectors and a tail
    public void ScaleShiftReluHonoursTheCapAndMatchesTheReference(int bits, int length)
    {
        // Every width computes one FMA and one maximum per value, as the reference does: the same bits, in place too.
        using var cap = new VectorWidthCap(bits);
        var random = new Random(length);
        float[] x = KernelTestData.RandomArray(random, length, 4f);
        if (length > 5) (x[1], x[5]) = (float.NaN, -0f);
        float[] want = new float[length], got = new float[length], inPlace = (float[])x.Clone();
        ScaleShiftKernels.Reference(x, want, 0.75f, -0.5f);
        ScaleShiftKernels.ScaleShiftRelu(x, got, 0.75f, -0.5f);
        ScaleShiftKernels.ScaleShiftRelu(inPlace, inPlace, 0.75f, -0.5f);
        Assert.Equal(want, got);
        Assert.Equal(want, inPlace);
        var e = Assert.Throws<ArgumentException>(() => ScaleShiftKernels.ScaleShiftRelu(x, new float[length + 1], 1f,
            0f));
        Assert.Contains("expected equal", e.Message);
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

/// <summary>
/// <see cref="WinogradF43Tests"/> on the 128-bit body: groups of 4 images, 4×4 transposes, the 8×12 cell kernel
/// (odd shapes, partial tiles and image groups, 1 vs 2 threads, the dispatched forward and input gradient).
/// </summary>
[Collection(VectorWidthCollection.Name)]
public sealed class WinogradF43TestsAt128Bits(ITestOutputHelper log) : WinogradF43Tests(log), IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="WinogradF43AllocationTests"/> on the 128-bit body.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class WinogradF43AllocationTestsAt128Bits : WinogradF43AllocationTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary>
/// <see cref="WinogradF23WeightGradientTests"/> on the 128-bit body: 12-channel panels, the 8×12 cell kernel
/// accumulating over chunks, odd shapes, 1 vs 2 threads and the dispatcher's rule.
/// </summary>
[Collection(VectorWidthCollection.Name)]
public sealed class WinogradF23WeightGradientTestsAt128Bits : WinogradF23WeightGradientTests, IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary><see cref="WinogradF23WeightGradientAllocationTests"/> on the 128-bit body.</summary>
[Collection(VectorWidthCollection.Name)]
public sealed class WinogradF23WeightGradientAllocationTestsAt128Bits : WinogradF23WeightGradientAllocationTests,
    IDisposable
{
    private readonly VectorWidthCap _cap = new(128);

    /// <inheritdoc/>
    public void Dispose() => _cap.Dispose();
}

/// <summary>
/// <see cref="RocketNet.Tests.Layers.ConvInferencePlanTests"/> on the 128-bit paths: the compiled WRN plan with
/// Winograd F(4×4, 3×3) where the dispatcher takes it, im2col elsewhere, the capped scale-shift-ReLU loop.
/// </summary>
[Collection(VectorWidthCollection.Name)]
public sealed class ConvInferencePlanTestsAt128Bits : RocketNet.Tests.Layers.ConvInferencePlanTests, IDisposable
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
