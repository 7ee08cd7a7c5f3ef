using System.Diagnostics.CodeAnalysis;

namespace RocketNet.Kernels;

/// <summary>
/// Span-length checks shared by the kernels, with messages naming expected and actual lengths. Messages
/// are only formatted on failure so the checks allocate nothing on the hot path.
/// </summary>
internal static class KernelArguments
{
    /// <summary>Throws unless the span holds at least <paramref name="expected"/> elements.</summary>
    public static void RequireLength(int actual, long expected, string kernel, string paramName)
    {
        if (actual < expected) ThrowTooShort(actual, expected, kernel, paramName, emptyAllowed: false);
    }

    /// <summary>Like <see cref="RequireLength"/>, but an empty span (meaning "not used") is allowed too.</summary>
    public static void RequireEmptyOrLength(int actual, long expected, string kernel, string paramName)
    {
        if (actual != 0 && actual < expected) ThrowTooShort(actual, expected, kernel, paramName, emptyAllowed: true);
    }

    /// <summary>Validates the geometry and every span of a convolution call.</summary>
    public static void CheckConvolution(in ConvGeometry g, string kernel,
        int xLength, int wLength, int yLength, int biasLength)
    {
        g.Validate();
        if (xLength < g.InputLength)
            ThrowTooShort(xLength, g.InputLength, kernel,
                $"x [N={g.Batch}, C={g.InChannels}, H={g.Height}, W={g.Width}]", false);
        if (wLength < g.WeightLength)
            ThrowTooShort(wLength, g.WeightLength, kernel,
                $"w [O={g.OutChannels}, C={g.InChannels}, KH={g.KernelHeight}, KW={g.KernelWidth}]", false);
        if (yLength < g.OutputLength)
            ThrowTooShort(yLength, g.OutputLength, kernel,
                $"y [N={g.Batch}, O={g.OutChannels}, OH={g.OutHeight}, OW={g.OutWidth}]", false);
        RequireEmptyOrLength(biasLength, g.OutChannels, kernel, "bias [O]");
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int actual, long expected, string kernel, string what, bool emptyAllowed) =>
        throw new ArgumentException(
            $"{kernel}: {what} holds {actual} elements but needs " +
            $"{expected}{(emptyAllowed ? " (or pass an empty span)" : "")}.");
}
