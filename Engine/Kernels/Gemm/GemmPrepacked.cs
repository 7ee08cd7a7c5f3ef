using System.Runtime.CompilerServices;

namespace RocketNet.Kernels;

/// <summary>
/// C += A·Wᵀ with W's panels packed ahead of time (<see cref="PackedLinearWeight"/>): the loop nest of
/// <see cref="GemmDriver"/>'s one-thread path without its per-call packing. A [m, k] is read in place
/// (<see cref="GemmMicroKernel512.RunRows"/>), every element of C is summed over the same k slabs in the same
/// order with the same kernels, so C gets the driver's bits.
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
    [SkipLocalsInit]
    public static void MultiplyAccumulate(float* a, int m, PackedLinearWeight weight, float* c)
    {
        const int mr = GemmMicroKernel512.Mr, nr = GemmMicroKernel512.Nr;
        int n = weight.OutFeatures, k = weight.InFeatures, slabDepth = weight.SlabDepth;
        nint paddedColumns = (n + nr - 1) / nr * nr;
        float* edge = stackalloc float[mr * nr];
        float* edgeRows = stackalloc float[mr * GemmDriver.KcMax];
        for (int i0 = 0; i0 < m; i0 += RowBlock)
        {
            int rows = Math.Min(RowBlock, m - i0), fullRows = rows / mr * mr;
            for (int pc = 0; pc < k; pc += slabDepth)
            {
                int kc = Math.Min(slabDepth, k - pc);
                float* slab = weight.Panels + paddedColumns * pc;
                // A last group of fewer than 8 rows is packed into a zero-padded panel, so no kernel reads past A.
                if (fullRows < rows)
                    GemmPacking.PackA(a, m, k, false, i0 + fullRows, rows - fullRows, pc, kc, mr, edgeRows);
                for (int jr = 0; jr < n; jr += nr)
                {
                    float* panel = slab + (nint)jr * kc;
                    int width = Math.Min(nr, n - jr);
                    for (int ir = 0; ir < rows; ir += mr)
                    {
                        float* cTile = c + (nint)(i0 + ir) * n + jr;
                        if (ir == fullRows)
                        {
                            RunInto(edgeRows, mr, panel, edge, kc, width, packedA: true);
                            AddEdge(edge, cTile, n, rows - ir, width);
                            continue;
                        }
                        float* aRows = a + (nint)(i0 + ir) * k + pc;
                        if (width == nr) GemmMicroKernel512.RunRows(aRows, k, panel, cTile, n, kc, accumulate: true);
                        else if (width == nr / 2)
                            GemmMicroKernel512.RunHalfRows(aRows, k, panel, cTile, n, kc, accumulate: true);
                        else
                        {
                            RunInto(aRows, k, panel, edge, kc, width, packedA: false);
                            AddEdge(edge, cTile, n, mr, width);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A full or half tile of the slab's sum into the scratch tile (row stride 32), as the driver's edges.
    /// </summary>
    private static void RunInto(float* a, nint lda, float* panel, float* edge, int kc, int width, bool packedA)
    {
        const int nr = GemmMicroKernel512.Nr;
        bool half = width <= nr / 2;
        if (packedA)
        {
            if (half) GemmMicroKernel512.RunHalf(a, panel, edge, nr, kc, false);
            else GemmMicroKernel512.Run(a, panel, edge, nr, kc, false);
        }
        else if (half) GemmMicroKernel512.RunHalfRows(a, lda, panel, edge, nr, kc, false);
        else GemmMicroKernel512.RunRows(a, lda, panel, edge, nr, kc, false);
    }

    /// <summary>Adds the valid height x width part of a scratch tile (row stride 32) to C.</summary>
    private static void AddEdge(float* edge, float* cTile, int n, int height, int width)
    {
        for (int r = 0; r < height; r++)
        {
            float* cRow = cTile + (nint)r * n, eRow = edge + r * GemmMicroKernel512.Nr;
            for (int j = 0; j < width; j++) cRow[j] += eRow[j];
        }
    }
}
