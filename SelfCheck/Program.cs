using System.Runtime.InteropServices;
using RocketNet.Kernels;

namespace RocketNet.SelfCheck;

/// <summary>
/// <c>RocketNet.SelfCheck</c>: every kernel family against its reference and a few gradient checks, on each vector
/// width this machine runs (x64 with AVX-512: the 512-bit paths, then the 128-bit paths ARM64 takes; ARM64: the
/// 128-bit paths), then a fingerprint of the 128-bit GEMM and convolution outputs. Published for linux-arm64 and run
/// under qemu-aarch64 by .ci/run, whose x64 run of the same program must print the same fingerprint: the 128-bit
/// kernels give the same bits on both instruction sets. Exit code 0 when every check passes, 1 otherwise.
/// </summary>
public static class Program
{
    /// <summary>Runs the checks; prints one line per check and a summary.</summary>
    public static int Main()
    {
        var log = new CheckLog(Console.Out);
        Console.WriteLine($"RocketNet self-check on {RuntimeInformation.ProcessArchitecture}, " +
            $"{Environment.ProcessorCount} processor(s)");
        int startBits = VectorWidth.MaxBits;
        int[] widths = VectorWidth.Use512 ? [512, 128] : VectorWidth.Use256 ? [256, 128] : [128];
        try
        {
            foreach (int bits in widths)
            {
                VectorWidth.MaxBits = bits;
                string path = $"[{bits}-bit, GEMM {Gemm.PackedKind}]";
                KernelChecks.Run(log, path);
                GradientChecks.Run(log, path);
            }
            VectorWidth.MaxBits = 128;
            Console.WriteLine($"fingerprint of the 128-bit path (GEMM {Gemm.PackedKind}): {Fingerprint.Compute()}");
        }
        finally
        {
            VectorWidth.MaxBits = startBits;
        }
        Console.WriteLine($"self-check: {log.Passed} passed, {log.Failed} failed");
        return log.Failed == 0 ? 0 : 1;
    }
}
