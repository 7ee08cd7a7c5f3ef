using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// The cell products M[ξ] = U[ξ]·V[ξ] of the Winograd kernels: a last panel at most half full runs on the half-width
/// micro-kernel, which must give the bits of the full one on the columns it covers and leave the rest alone.
/// </summary>
public class WinogradCellProductTests
{
    [Theory]
    [InlineData(16, 16, 1, 16)]  // one image of 8×8 (4×4 tiles): one panel, half used
    [InlineData(24, 8, 2, 40)]   // a full panel, then 8 tiles in the second
    [InlineData(5, 16, 1, 1)]    // one tile
    [InlineData(64, 64, 1, 17)]  // one tile past half: the full kernel
    public unsafe void AHalfFullLastPanelGivesTheFullKernelsBits(int inChannels, int outRows, int panels, int tiles)
    {
        if (!Winograd.Available) return; // the AVX-512 kernels only
        const int cells = 16;
        int paddedTiles = panels * Winograd.Panel;
        Assert.InRange(tiles, paddedTiles - Winograd.Panel + 1, paddedTiles);
        var random = new Random(inChannels * 100 + tiles);
        float[] u = RandomArray(random, cells * outRows * inChannels);
        float[] v = RandomArray(random, cells * inChannels * paddedTiles);
        float[] full = new float[cells * outRows * paddedTiles], half = new float[full.Length];
        Array.Fill(half, float.NaN); // what the half kernel leaves unwritten stays NaN
        fixed (float* pu = u, pv = v, pFull = full, pHalf = half)
        {
            nint uCell = (nint)outRows * inChannels, vCell = (nint)inChannels * paddedTiles;
            nint mCell = (nint)outRows * paddedTiles;
            Winograd.MultiplyCells(pu, uCell, pv, vCell, pFull, mCell, cells, outRows, inChannels, paddedTiles);
            Winograd.MultiplyCells(pu, uCell, pv, vCell, pHalf, mCell, cells, outRows, inChannels, paddedTiles,
                tiles);
        }
        bool halfKernel = tiles - (paddedTiles - Winograd.Panel) <= Winograd.Panel / 2;
        int covered = halfKernel ? paddedTiles - Winograd.Panel / 2 : paddedTiles;
        for (int row = 0; row < cells * outRows; row++)
            for (int column = 0; column < paddedTiles; column++)
            {
                float got = half[row * paddedTiles + column], want = full[row * paddedTiles + column];
                if (column < covered) Assert.Equal(want, got);
                else Assert.True(float.IsNaN(got), $"row {row}, column {column}: written past the half panel");
            }
    }
}
