using System.Runtime.CompilerServices;

namespace RocketNet.Kernels;

internal static unsafe partial class GemmDriver
{
    /// <summary>
    /// The path for blocks that fit at once (every training-step GEMM of the MLP and most conv ones):
    /// A is packed for all k slabs in one parallel phase, then ONE parallel phase over the C tiles, each
    /// task packing its own B tile slab by slab into per-thread scratch and accumulating its C tile. Two
    /// barriers per call instead of two per k slab; a B tile is packed once per M tile (cheap: the tile
    /// computes 128 times more than it copies). Same summation order, so the same bits, as the general path.
    /// </summary>
    private sealed class SingleDispatchGemm(GemmScratch packedA) : GemmJob(packedA)
    {
        private int _slabs;
        private bool _accumulate, _packPhase;
        private int _packRows, _packChunks; // rows of A per packing task, tasks per slab

        public void Run(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB,
            bool accumulate, GemmKernelKind kind)
        {
            SetCall(a, b, c, m, n, k, transA, transB, kind);
            _slabs = (_k + _kcStep - 1) / _kcStep;
            _accumulate = accumulate;
            _ic = 0; _mc = _m; _jc = 0; _nc = _n;
            // Narrow n (e.g. a 200-wide layer) would give two threads 128 and 72 columns; tiles of a whole
            // number of panels near n / (2·threads) balance them (200 → 32-wide tiles) while wide n keeps 128.
            int threads = Threads;
            _nTile = Math.Clamp((_n + 2 * threads - 1) / (2 * threads) / _nr * _nr, _nr, NTile);
            _tilesN = (_n + _nTile - 1) / _nTile;
            // Each task packs its own B tile, once per M tile: keep M tiles few (1 or 2, up to 512 rows, whose A
            // part still fits L2) so that copy stays small next to the tile's arithmetic — but two when n's tiles do
            // not split evenly over the threads (n = 200: 7 tiles, 4:3 on two threads; n = 80: 3 tiles, 2:1).
            int tilesWanted =
                _m <= 256 && (threads == 1 || (_tilesN >= 2 * threads && _tilesN % threads == 0)) ? 1 : 2;
            _mTile = RoundUp((_m + tilesWanted - 1) / tilesWanted, _mr);
            _tilesM = (_m + _mTile - 1) / _mTile;
            if (!_directA) PackedA.Ensure(RoundUp(_m, _mr) * _k);
            // Packing tasks of 64 rows: one M tile of 256 rows and 3 slabs would otherwise be 3 tasks, 2:1 on
            // two threads. Where a task lands does not change what it writes, so the bits stay the same.
            _packRows = Math.Min(_mTile, PackRows / _mr * _mr);
            _packChunks = (_m + _packRows - 1) / _packRows;
            bool parallel = (long)_m * _n * _k >= ParallelMinWork;
            if (!_directA)
            {
                _packPhase = true;
                Dispatch(_slabs * _packChunks, parallel);
            }
            _packPhase = false;
            Dispatch(_tilesM * _tilesN, parallel);
            _a = _b = _c = null;
        }

        /// <inheritdoc />
        public override void Run(int index)
        {
            if (_packPhase) PackASlab(index / _packChunks, index % _packChunks);
            else ComputeTileAllSlabs(index / _tilesN, index % _tilesN);
        }

        /// <summary>
        /// Single-dispatch path: rows chunk <paramref name="chunk"/> (of <see cref="PackRows"/>) of A for k slab
        /// <paramref name="slab"/>.
        /// </summary>
        private void PackASlab(int slab, int chunk)
        {
            int pc = slab * _kcStep, kc = Math.Min(_kcStep, _k - pc);
            int i0 = chunk * _packRows, rows = Math.Min(_packRows, _m - i0);
            // Slab s of packed A starts at RoundUp(m, mr)·pc; inside it, row panels follow each other.
            float* slabA = PackedA.Pointer + (nint)RoundUp(_m, _mr) * pc;
            GemmPacking.PackA(_a, _m, _k, _transA, i0, rows, pc, kc, _mr, slabA + (nint)i0 * kc);
        }

        /// <summary>
        /// Single-dispatch path: C tile (tileRow, tileColumn) over every k slab, packing its B tile as it goes.
        /// </summary>
        private void ComputeTileAllSlabs(int tileRow, int tileColumn)
        {
            int j0 = tileColumn * _nTile, cols = Math.Min(_nTile, _n - j0);
            var scratch = _tileB ??= new GemmScratch();
            float* tileB = scratch.Ensure(RoundUp(NTile, _nr) * _kcStep);
            for (int slab = 0; slab < _slabs; slab++)
            {
                // Locals only: this runs on several threads at once.
                int pc = slab * _kcStep, kc = Math.Min(_kcStep, _k - pc);
                GemmPacking.PackB(_b, _k, _n, _transB, pc, kc, j0, cols, _nr, tileB);
                ComputeTile(tileRow, tileColumn, PackedA.Pointer + (nint)RoundUp(_m, _mr) * pc, tileB - (nint)j0 * kc,
                    pc, kc, _accumulate || slab > 0);
            }
        }
    }
}
