using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RocketNet.Kernels;

/// <summary>
/// A grow-only, 64-byte-aligned float buffer for packed panels. Owned by one calling thread's cached GEMM
/// state, so a steady stream of calls allocates nothing once it has seen its largest shape. Pinned on the
/// POH, so the raw pointer stays valid without a <c>fixed</c> block.
/// </summary>
internal sealed unsafe class GemmScratch
{
    private const int AlignFloats = 16; // 64 bytes: whole zmm loads never straddle a cache line

    private float[] _array = [];

    /// <summary>Start of the aligned region; valid for the length last passed to <see cref="Ensure"/>.</summary>
    public float* Pointer { get; private set; }

    /// <summary>Makes room for <paramref name="length"/> floats (contents unspecified) and returns the start.</summary>
    public float* Ensure(int length)
    {
        if (_array.Length < length + AlignFloats)
        {
            _array = GC.AllocateUninitializedArray<float>(length + AlignFloats, pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            Pointer = (float*)((start + 63) & ~(nint)63);
        }
        return Pointer;
    }
}
