namespace RocketNet.Kernels;

/// <summary>
/// How the F(2×2, 3×3) kernels cut a batch's tiles into chunks, each small enough for its transformed tiles to stay
/// in L2: a run of tile rows of one image when an image has at least <c>targetTiles</c> tiles, else several whole
/// images. The grid depends on the geometry alone, so the chunks (and any sums over them) are the same on any
/// thread count.
/// </summary>
internal readonly struct WinogradF23Chunks
{
    private readonly int _batch, _tilesY, _rows, _images, _perImage;

    /// <summary>The chunks of a batch of <paramref name="batch"/> images of <paramref name="shape"/>'s tiles.</summary>
    public WinogradF23Chunks(in WinogradF23Transforms.Shape shape, int batch, int targetTiles)
    {
        _batch = batch;
        _tilesY = shape.TilesY;
        int tilesX = shape.TilesX, tilesPerImage = tilesX * shape.TilesY;
        if (tilesPerImage >= targetTiles)
        {
            _images = 1;
            _rows = Math.Max(1, targetTiles / tilesX);
            _perImage = (_tilesY + _rows - 1) / _rows;
            Count = batch * _perImage;
        }
        else
        {
            _images = Math.Max(1, targetTiles / tilesPerImage);
            _rows = _tilesY;
            _perImage = 1;
            Count = (batch + _images - 1) / _images;
        }
    }

    /// <summary>Number of chunks.</summary>
    public int Count { get; }

    /// <summary>Chunk <paramref name="index"/>: images [n0, n1) × tile rows [ty0, ty1) of each.</summary>
    public void Range(int index, out int n0, out int n1, out int ty0, out int ty1)
    {
        n0 = index / _perImage * _images;
        n1 = Math.Min(_batch, n0 + _images);
        ty0 = index % _perImage * _rows;
        ty1 = Math.Min(_tilesY, ty0 + _rows);
    }
}
