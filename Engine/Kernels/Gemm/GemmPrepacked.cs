namespace RocketNet.Kernels;

/// <summary>
/// C += A·Wᵀ with W's panels packed ahead of time (<see cref="PackedLinearWeight"/>): the loop nest of
/// <see cref="GemmDriver"/>'s one-thread path without its per-call packing. Each slab runs the driver's own
/// <see cref="GemmDriver.MultiplyRowsInPlace"/> (A's rows read in place), so every element of C is summed over the
/// same k slabs in the same order by the same kernels: the driver's bits.
/// <code>
/// for rows in m step RowBlock             A rows [RowBlock x kc] stay in L2
///   for pc in k step kc                   the slabs the weight was packed in
///     for jr in n step 32                 one packed B panel [kc x 32] stays in L1 across the ir loop
///       for ir in rows step 8             micro-kernel 8 x 32 (8 x 16 for a last panel of ≤ 16 columns)
/// </code>
/// </summary>
internal static unsafe class GemmPrepacked
{
    /// <summary>Rows of A per block: 256 x 256 x 4 B = 256 KB of A per slab, well inside L2.</summary>
    private const int RowBlock = 256;

    /// <summary>
    /// C [m, n] += A [m, k] · Wᵀ, W [n, k] packed; the caller has checked the sizes and that W has panels.
    /// </summary>
    public static void MultiplyAccumulate(float* a, int m, PackedLinearWeight weight, float* c)
    {
        int n = weight.OutFeatures, k = weight.InFeatures, slabDepth = weight.SlabDepth;
        nint paddedColumns = (n + GemmMicroKernel512.Nr - 1) / GemmMicroKernel512.Nr * GemmMicroKernel512.Nr;
        for (int i0 = 0; i0 < m; i0 += RowBlock)
        {
            int rows = Math.Min(RowBlock, m - i0);
            for (int pc = 0; pc < k; pc += slabDepth)
            {
                int kc = Math.Min(slabDepth, k - pc);
                GemmDriver.MultiplyRowsInPlace(a, m, k, i0, rows, weight.Panels + paddedColumns * pc, n,
                    c + (nint)i0 * n, n, pc, kc, accumulate: true);
            }
        }
    }
}
