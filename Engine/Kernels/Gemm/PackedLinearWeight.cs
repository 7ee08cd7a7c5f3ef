using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RocketNet.Kernels;

/// <summary>
/// A copy of a Linear layer's weight [out, in] made once for serving, with the B panels the AVX-512 GEMM reads
/// laid out ahead of time: the packed path of
/// <see cref="Gemm.Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool, bool)"/>
/// transposes Wᵀ into [kc][32] panels on every call, work that a model whose weights no longer change needs
/// only once.
/// <see cref="DenseInferenceKernels.Linear(ReadOnlySpan{float}, PackedLinearWeight, ReadOnlySpan{float},
/// Span{float}, int)"/>
/// multiplies with it and gives the bits the graph's Linear gives for the weights as they were when packed.
/// Immutable once made, so any number of threads may use one at once.
/// </summary>
public sealed unsafe class PackedLinearWeight
{
    private readonly float[] _weight;
    private readonly float[]? _panelStorage; // pinned; holds the aligned panels, or null where they are not used
    private readonly float* _panels;

    /// <summary>
    /// Copies <paramref name="weight"/> [<paramref name="outFeatures"/>, <paramref name="inFeatures"/>] and packs it.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or the span's length does not match them.</exception>
    public PackedLinearWeight(ReadOnlySpan<float> weight, int outFeatures, int inFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        if (weight.Length != (long)outFeatures * inFeatures)
            throw new ArgumentException(
                $"A weight [{outFeatures}, {inFeatures}] holds {(long)outFeatures * inFeatures} " +
                $"floats, got {weight.Length}.", nameof(weight));
        (OutFeatures, InFeatures) = (outFeatures, inFeatures);
        _weight = weight.ToArray();
        if (!PanelsUsable(inFeatures)) return;

        // The driver's k slabs (balanced, at most KcMax deep) and, inside each, the panels of every column:
        // slab s starts at RoundUp(out, 32)·pc, panel j of it at j·kc — the layout GemmDriver packs per call.
        int slabs = (inFeatures + GemmDriver.KcMax - 1) / GemmDriver.KcMax;
        SlabDepth = (inFeatures + slabs - 1) / slabs;
        int paddedColumns = RoundUp(outFeatures, GemmMicroKernel512.Nr);
        _panelStorage = GC.AllocateUninitializedArray<float>(paddedColumns * inFeatures + 16, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_panelStorage));
        _panels = (float*)((start + 63) & ~(nint)63);
        fixed (float* w = _weight)
        {
            for (int pc = 0; pc < inFeatures; pc += SlabDepth)
            {
                int kc = Math.Min(SlabDepth, inFeatures - pc);
                GemmPacking.PackB(w, inFeatures, outFeatures, transB: true, pc, kc, 0, outFeatures,
                    GemmMicroKernel512.Nr,
                    _panels + (nint)paddedColumns * pc);
            }
        }
    }

    /// <summary>Output features (rows of the weight).</summary>
    public int OutFeatures { get; }

    /// <summary>Input features (columns of the weight).</summary>
    public int InFeatures { get; }

    /// <summary>The copied weight [out, in], row-major.</summary>
    public ReadOnlySpan<float> Weight => _weight;

    /// <summary>Depth of each k slab of the panels (0 when there are no panels).</summary>
    internal int SlabDepth { get; }

    /// <summary>Start of the packed panels, or null where this machine's GEMM does not read them.</summary>
    internal float* Panels => _panels;

    /// <summary>
    /// The panels serve the AVX-512 kernels reading A's rows in place, the form the driver uses for these widths;
    /// elsewhere (AVX2, scalar, a k whose rows crowd the L1 sets) the copy goes through
    /// <see cref="Gemm.Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool,
    /// bool)"/>.
    /// </summary>
    private static bool PanelsUsable(int inFeatures) =>
        Gemm.PackedKind == GemmKernelKind.Vector512 && GemmDriver.RowsSpreadOverL1Sets(inFeatures);

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
