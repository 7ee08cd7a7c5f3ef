using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The widest vector registers the kernels may use. By default the widest the hardware accelerates; the
/// environment variable <c>ROCKETNET_MAX_VECTOR_BITS</c> (128, 256 or 512), read once when the engine first
/// dispatches a kernel, caps it, so an x64 machine runs the code paths an ARM64 machine (128-bit NEON) runs:
/// <c>ROCKETNET_MAX_VECTOR_BITS=128</c> selects the Vector128 GEMM kernel and turns off every AVX-512/AVX2-only
/// path (implicit and Winograd convolutions, stride phases, the 2×2 max pool, 8×8 AVX transposes). Tests and
/// benchmarks change the cap in-process through <see cref="MaxBits"/>.
/// <para>
/// Only the choice of path is emulated: on x64 a capped kernel still runs x64 instructions (with AVX-512 present
/// the JIT encodes even 128-bit code with EVEX and 32 registers, as NEON has 32), so speed under the cap is a proxy
/// for ARM64, and results are those of the same path on ARM64 up to rounding (see docs/performance.md).
/// </para>
/// </summary>
internal static class VectorWidth
{
    /// <summary>The environment variable that caps the width, in bits.</summary>
    public const string EnvironmentVariable = "ROCKETNET_MAX_VECTOR_BITS";

    private static int _maxBits = Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>
    /// The cap in bits: 512 (no cap), 256 or 128. Settable for tests and benchmarks only, and only while no kernel
    /// runs (tests that set it run in a collection of their own); kernels read it on every call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not 128, 256 or 512.</exception>
    public static int MaxBits
    {
        get => _maxBits;
        set => _maxBits = value is 128 or 256 or 512
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value,
                "The vector width cap must be 128, 256 or 512.");
    }

    /// <summary>512-bit vectors are accelerated and allowed (AVX-512 on x64; never on ARM64).</summary>
    public static bool Use512 => Vector512.IsHardwareAccelerated && _maxBits >= 512;

    /// <summary>256-bit vectors are accelerated and allowed (AVX2 on x64; never on ARM64).</summary>
    public static bool Use256 => Vector256.IsHardwareAccelerated && _maxBits >= 256;

    /// <summary>128-bit vectors are accelerated (SSE on x64, NEON on ARM64); the cap never goes below them.</summary>
    public static bool Use128 => Vector128.IsHardwareAccelerated;

    /// <summary>
    /// <see cref="Vector128.FusedMultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> is one
    /// instruction (FMA3 on x64, FMLA on ARM64) rather than a slow software fallback.
    /// </summary>
    public static bool FusedMultiplyAdd128 =>
        Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported);

    /// <summary>
    /// Reads the environment's cap: absent or empty means no cap (512).
    /// </summary>
    /// <exception cref="InvalidOperationException">The variable holds anything but 128, 256 or 512.</exception>
    internal static int Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return 512;
        return value.Trim() switch
        {
            "128" => 128,
            "256" => 256,
            "512" => 512,
            _ => throw new InvalidOperationException(
                $"{EnvironmentVariable} is '{value}'; expected 128, 256 or 512 (or unset for the widest vectors)."),
        };
    }
}
