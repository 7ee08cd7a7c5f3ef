namespace RocketNet.Kernels;

/// <summary>
/// Shape of a 2-d max or average pool over NCHW tensors: x [N, C, H, W] → y [N, C, OutHeight, OutWidth].
/// Padding is implicit (padded cells never win a max and count as zeros in an average, like PyTorch's
/// count_include_pad=True); output sizes round down (ceil_mode=False).
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="KernelH">Window height.</param>
/// <param name="KernelW">Window width.</param>
/// <param name="StrideH">Vertical step between windows.</param>
/// <param name="StrideW">Horizontal step between windows.</param>
/// <param name="PadH">Implicit rows added above and below.</param>
/// <param name="PadW">Implicit columns added left and right.</param>
public readonly record struct PoolGeometry(int N, int C, int H, int W, int KernelH, int KernelW,
    int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>Output height (H + 2·PadH − KernelH) / StrideH + 1, rounded down.</summary>
    public int OutHeight => (H + 2 * PadH - KernelH) / StrideH + 1;

    /// <summary>Output width (W + 2·PadW − KernelW) / StrideW + 1, rounded down.</summary>
    public int OutWidth => (W + 2 * PadW - KernelW) / StrideW + 1;

    /// <summary>Elements of the input: N·C·H·W.</summary>
    public long InputLength => (long)N * C * H * W;

    /// <summary>Elements of the output (and of a max pool's index buffer): N·C·OH·OW.</summary>
    public long OutputLength => (long)N * C * OutHeight * OutWidth;

    /// <summary>
    /// Throws for non-positive sizes, negative padding, padding above half the window (so every window
    /// holds at least one real cell, as PyTorch requires) or an empty output.
    /// </summary>
    /// <exception cref="ArgumentException">The geometry makes no sense; the message says which part.</exception>
    public void Validate()
    {
        if (N < 1 || C < 1 || H < 1 || W < 1)
            throw new ArgumentException($"Pool input must have positive sizes, got [N={N}, C={C}, H={H}, W={W}].");
        if (KernelH < 1 || KernelW < 1)
            throw new ArgumentException($"Pool window must be at least 1x1, got {KernelH}x{KernelW}.");
        if (StrideH < 1 || StrideW < 1)
            throw new ArgumentException($"Pool stride must be at least 1, got {StrideH}x{StrideW}.");
        if (PadH < 0 || PadW < 0 || PadH > KernelH / 2 || PadW > KernelW / 2)
            throw new ArgumentException(
                $"Pool padding must be between 0 and half the window, got padding {PadH},{PadW} for " +
                $"window {KernelH}x{KernelW}.");
        if ((long)H + 2L * PadH < KernelH || (long)W + 2L * PadW < KernelW)
            throw new ArgumentException(
                $"Pool window {KernelH}x{KernelW} does not fit the padded input " +
                $"{H + 2L * PadH}x{W + 2L * PadW}; output would be empty.");
        if (InputLength > int.MaxValue || OutputLength > int.MaxValue)
            throw new ArgumentException($"Pool {this} is too large: a buffer would exceed {int.MaxValue} elements.");
    }

    /// <summary>Validates the geometry and that input/output spans are long enough.</summary>
    internal void Check(string kernel, int inputLength, int outputLength, string inputName, string outputName)
    {
        Validate();
        KernelArguments.RequireLength(inputLength, InputLength, kernel, inputName);
        KernelArguments.RequireLength(outputLength, OutputLength, kernel, outputName);
    }
}
