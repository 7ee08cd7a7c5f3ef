namespace RocketNet.Kernels;

/// <summary>
/// Which code path <see cref="Gemm"/> runs. Chosen from the hardware and the
/// <see cref="VectorWidth"/> cap; tests force each one.
/// </summary>
internal enum GemmKernelKind
{
    /// <summary>Unpacked loops for small problems, where packing and dispatch would cost more than they save.</summary>
    Direct,

    /// <summary>Packed panels, 4x4 scalar micro-kernel (no usable SIMD).</summary>
    Scalar,

    /// <summary>Packed panels, 6x16 Vector128 FMA micro-kernel (ARM64 NEON; x64 with the width capped).</summary>
    Vector128,

    /// <summary>Packed panels, 6x16 AVX2/FMA micro-kernel.</summary>
    Vector256,

    /// <summary>Packed panels, 8x32 AVX-512 micro-kernel.</summary>
    Vector512,
}
