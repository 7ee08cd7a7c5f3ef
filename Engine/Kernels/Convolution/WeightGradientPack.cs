namespace RocketNet.Kernels;

/// <summary>
/// Packed operands of <see cref="PackedWeightGradient"/> for one group: 64-byte-aligned x planes and gradY rows whose
/// 16 vector lanes are either 16 consecutive output positions of one image (<see cref="LanesAreImages"/> false, when
/// OW is a multiple of 16) or one output position of 16 images (true: small or odd planes, where vectors of
/// positions would straddle rows). A position is thus one float or one vector of a packed row, and a step of the
/// multiply loop is one vector.
/// <list type="bullet">
/// <item>x is [C·s·s phase planes, units, Slab] plus one zero row: each phase plane once, its rows OW + pad
/// positions apart (pad = the largest |dj| of a tap), with zeros in the gaps and in the rows above and below the
/// image. Tap (kh, kw) then reads its phase (a, b) at the plain offset of di rows and dj positions
/// (<see cref="StridePhases.Shift"/>): reads past a row's end land in a zero gap, reads above or below the image in
/// zero rows, so the multiply loop needs no mask.</item>
/// <item>gradY, 8 channels at a time (a register tile's), is [units · steps, 8, 16]: the channels interleaved per
/// step, read at constant offsets from one pointer; channels past O and positions past the band are zeros.</item>
/// </list>
/// A unit is one image's band of <see cref="BandRows"/> output rows (positions as lanes; the whole plane unless it
/// exceeds the group's budget), or one band of 16 images (images as lanes).
/// </summary>
internal sealed unsafe partial class WeightGradientPack
{
    /// <summary>Floats per vector.</summary>
    public const int Lanes = 16;

    /// <summary>Output channels (gradY rows) per register tile.</summary>
    public const int TileRows = 8;

    /// <summary>Patch rows (x rows) per register tile.</summary>
    public const int TileColumns = 3;

    private ConvGeometry _g;
    private int[] _rowOffset = []; // per patch row r: offset of its tap's reads in its x plane row, in floats
    private int[] _rowPlane = []; // per patch row r: its phase plane's row in the x pack
    private int _plane, _up, _down, _pad, _top; // _top: floats from a slab's start to its band's first position

    /// <summary>True when a vector holds one position of 16 images, false when 16 positions of one image.</summary>
    public bool LanesAreImages { get; private set; }

    /// <summary>Images per group.</summary>
    public int GroupImages { get; private set; }

    /// <summary>Output rows per band.</summary>
    public int BandRows { get; private set; }

    /// <summary>Bands per image.</summary>
    public int Bands { get; private set; }

    /// <summary>Floats between the starts of consecutive rows of a packed x plane: (OW + pad) positions.</summary>
    public int RowFloats { get; private set; }

    /// <summary>Steps (vectors) per walked row: OW / 16 with positions as lanes, OW with images as lanes.</summary>
    public int VectorsPerRow { get; private set; }

    /// <summary>Floats per unit in a packed x plane.</summary>
    public int Slab { get; private set; }

    /// <summary>Floats the x reads skip at the end of a walked row: the gap of pad positions.</summary>
    public int RowSkip => RowFloats - _g.OutWidth * PositionFloats;

    /// <summary>Floats the x reads skip at the end of a unit, to the next unit's slab.</summary>
    public int UnitSkip => Slab - BandRows * RowFloats;

    /// <summary>O rounded up to <see cref="TileRows"/>.</summary>
    public int OutRows { get; private set; }

    /// <summary>Register tiles along the patch: ⌈C·KH·KW / 3⌉.</summary>
    public int Triples { get; private set; }

    /// <summary>Packed x rows: C·s·s phase planes and the zero row.</summary>
    public int ShiftedRows { get; private set; }

    /// <summary>Steps (vectors) per unit and gradY row: BandRows · VectorsPerRow.</summary>
    public int UnitSteps => BandRows * VectorsPerRow;

    /// <summary>Units per group of <paramref name="images"/> images.</summary>
    public int Units(int images) => LanesAreImages ? 1 : images;

    /// <summary>Floats of the gradY pack of 8 channels of a group of <paramref name="images"/> images.</summary>
    public int GradientLength(int images) => TileRows * Units(images) * UnitSteps * Lanes;

    /// <summary>Floats of the x pack of <paramref name="images"/> images.</summary>
    public int ShiftedLength(int images) => ShiftedRows * Units(images) * Slab;

    /// <summary>
    /// Start of patch row <paramref name="r"/>'s reads in an x pack of <paramref name="images"/> images.
    /// </summary>
    public float* Row(float* packed, int images, int r) =>
        packed + (nint)_rowPlane[r] * Units(images) * Slab + _rowOffset[r];

    /// <summary>Floats per position in a packed row: 1, or a vector of 16 images.</summary>
    private int PositionFloats => LanesAreImages ? Lanes : 1;

    /// <summary>
    /// Images per group for <paramref name="g"/>, <paramref name="positions"/> lane-positions per group: 16 images
    /// as lanes, or as many whole planes of positions as fit (at least one).
    /// </summary>
    public static int ImagesPerGroup(in ConvGeometry g, int positions)
    {
        if (ImagesAsLanes(g)) return Lanes;
        int plane = g.OutHeight * g.OutWidth;
        return plane <= positions ? positions / plane : 1;
    }

    /// <summary>
    /// Sets the layout for <paramref name="g"/> with about <paramref name="positions"/> lane-positions per group.
    /// </summary>
    public void Prepare(in ConvGeometry g, int positions)
    {
        _g = g;
        int outHeight = g.OutHeight, outWidth = g.OutWidth, s = g.StrideH, taps = g.KernelHeight * g.KernelWidth;
        _plane = outHeight * outWidth;
        LanesAreImages = ImagesAsLanes(g);
        GroupImages = ImagesPerGroup(g, positions);
        // A band holds at most `budget` positions (of one image, or of 16 images as lanes), whole rows, at least one.
        int budget = LanesAreImages ? positions / Lanes : positions;
        BandRows = _plane <= budget ? outHeight : Math.Max(1, budget / outWidth);
        Bands = (outHeight + BandRows - 1) / BandRows;
        Reach(g, out _up, out _down, out _pad);
        VectorsPerRow = LanesAreImages ? outWidth : outWidth / Lanes;
        // With positions as lanes the gap is a whole vector, so every row starts 64-byte aligned: aligned stores when
        // packing, aligned loads for the taps with dj = 0.
        int gap = LanesAreImages ? _pad : RoundUp(_pad, Lanes);
        RowFloats = (outWidth + gap) * PositionFloats;
        _top = _up * RowFloats + gap * PositionFloats;
        // Reads reach up to pad positions before the first row above the band and after the last row below it.
        Slab = RoundUp(_top + (BandRows + _down) * RowFloats + gap * PositionFloats, Lanes);
        OutRows = RoundUp(g.OutChannels, TileRows);
        int patch = g.PatchLength;
        Triples = (patch + TileColumns - 1) / TileColumns;
        ShiftedRows = g.InChannels * s * s + 1;
        if (_rowOffset.Length < Triples * TileColumns)
        {
            _rowOffset = new int[Triples * TileColumns];
            _rowPlane = new int[Triples * TileColumns];
        }
        for (int r = 0; r < Triples * TileColumns; r++)
        {
            if (r >= patch)
            {
                _rowPlane[r] = ShiftedRows - 1; _rowOffset[r] = _top;
                continue;
            }
            StridePhases.Shift(g, r % taps, out int phase, out int di, out int dj);
            _rowPlane[r] = r / taps * s * s + phase;
            _rowOffset[r] = _top + di * RowFloats + dj * PositionFloats;
        }
    }

    /// <summary>
    /// Packs channels [o0, o0 + 8) of band <paramref name="band"/> of images [n0, n0 + images) of gradY [N, O, OH·OW]
    /// (layout in the class summary).
    /// </summary>
    public void PackGradient(float* gradY, int n0, int images, int band, int o0, float* packed)
    {
        if (LanesAreImages) PackGradientImages(gradY, n0, images, band, o0, packed);
        else PackGradientPositions(gradY, n0, images, band, o0, packed);
    }

    /// <summary>
    /// Packs band <paramref name="band"/> of images [n0, n0 + images) of x [N, C, H, W] into the x planes plus the
    /// zero row.
    /// </summary>
    public void PackShifted(float* x, int n0, int images, int band, float* packed)
    {
        if (LanesAreImages) PackShiftedImages(x, n0, images, band, packed);
        else PackShiftedPositions(x, n0, images, band, packed);
        nint rowLength = (nint)Units(images) * Slab;
        new Span<float>(packed + (ShiftedRows - 1) * rowLength, (int)rowLength).Clear();
    }

    /// <summary>
    /// Images as lanes unless OW is a multiple of 16 (whole vectors per row) and the stride at most 2 (phase rows
    /// deinterleaved with one permute per vector).
    /// </summary>
    private static bool ImagesAsLanes(in ConvGeometry g) => g.OutWidth % Lanes != 0 || g.StrideH > 2;

    /// <summary>Bit a·s + b is set when some tap reads phase (a, b).</summary>
    private int UsedPhases()
    {
        int used = 0;
        for (int tap = 0; tap < _g.KernelHeight * _g.KernelWidth; tap++)
        {
            StridePhases.Shift(_g, tap, out int phase, out _, out _);
            used |= 1 << phase;
        }
        return used;
    }

    /// <summary>
    /// Band-relative phase-plane rows some tap reads for band <paramref name="band"/>, clipped to the plane:
    /// [low, high).
    /// </summary>
    private void ReadRows(int band, out int first, out int rows, out int low, out int high)
    {
        first = band * BandRows;
        rows = Math.Min(BandRows, _g.OutHeight - first);
        low = Math.Max(-_up, -first);
        high = Math.Min(rows + _down, _g.OutHeight - first);
    }

    /// <summary>Phase rows a tap reads above and below its output row, and the largest |column shift|.</summary>
    private static void Reach(in ConvGeometry g, out int up, out int down, out int pad)
    {
        up = down = pad = 0;
        for (int tap = 0; tap < g.KernelHeight * g.KernelWidth; tap++)
        {
            StridePhases.Shift(g, tap, out _, out int di, out int dj);
            up = Math.Max(up, -di); down = Math.Max(down, di); pad = Math.Max(pad, Math.Abs(dj));
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
