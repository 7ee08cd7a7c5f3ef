namespace RocketNet.Kernels;

/// <summary>
/// Which loop structure
/// <see cref="Gemm.Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool, bool)"/>
/// takes for a shape (<see cref="Gemm.PathFor"/>).
/// </summary>
internal enum GemmPath
{
    /// <summary>m = 1: the weights streamed once (<see cref="GemmVector"/>).</summary>
    OneRow,

    /// <summary>Small m·n·k: unpacked loops (<see cref="GemmDirect"/>).</summary>
    Direct,

    /// <summary>Everything else: packed panels and a micro-kernel (<see cref="GemmDriver"/>).</summary>
    Packed,
}
