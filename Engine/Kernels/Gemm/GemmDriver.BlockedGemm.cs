using System.Runtime.CompilerServices;

namespace RocketNet.Kernels;

internal static unsafe partial class GemmDriver
{
    /// <summary>
    /// The general path, the loop nest of the class summary: per (jc, pc, ic) block one parallel phase packs the
    /// block's B panels (when ic = 0) and A panels, a second one runs its C tiles.
    /// </summary>
    private sealed class BlockedGemm(GemmScratch packedA) : GemmJob(packedA)
    {
        private readonly GemmScratch _packedB = new();

        // The current k slab [pc, pc + kc) and phase.
        private int _pc, _kc;
        private bool _accumulateBlock, _packBThisPhase, _packPhase;

        public void Run(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB,
            bool accumulate, GemmKernelKind kind)
        {
            SetCall(a, b, c, m, n, k, transA, transB, kind);
            int kcStep = _kcStep;
            int ncMax = Math.Min(n, NcMax), mcMax = Math.Min(m, MBlock);
            _packedB.Ensure(RoundUp(ncMax, _nr) * kcStep);
            if (!_directA) PackedA.Ensure(RoundUp(mcMax, _mr) * kcStep);

            for (_jc = 0; _jc < n; _jc += NcMax)
            {
                _nc = Math.Min(NcMax, n - _jc);
                _nTile = NTile;
                _tilesN = (_nc + NTile - 1) / NTile;
                for (_pc = 0; _pc < k; _pc += kcStep)
                {
                    _kc = Math.Min(kcStep, k - _pc);
                    _accumulateBlock = accumulate || _pc > 0;
                    for (_ic = 0; _ic < m; _ic += MBlock)
                    {
                        _mc = Math.Min(MBlock, m - _ic);
                        _tilesM = (_mc + _mTile - 1) / _mTile;
                        bool parallel = (long)_mc * _nc * _kc >= ParallelMinWork;

                        _packPhase = true;
                        _packBThisPhase = _ic == 0;
                        int packTasks = (_packBThisPhase ? _tilesN : 0) + (_directA ? 0 : _tilesM);
                        if (packTasks > 0) Dispatch(packTasks, parallel);
                        _packPhase = false;
                        Dispatch(_tilesM * _tilesN, parallel);
                    }
                }
            }
            _a = _b = _c = null;
        }

        /// <inheritdoc />
        public override void Run(int index)
        {
            if (_packPhase) Pack(index);
            else ComputeTile(index / _tilesN, index % _tilesN);
        }

        /// <summary>
        /// Index &lt; tilesN (when B is due): one tile-width of B panels; else one tile-height of A panels.
        /// </summary>
        private void Pack(int index)
        {
            if (_packBThisPhase)
            {
                if (index < _tilesN)
                {
                    int j0 = index * NTile;
                    GemmPacking.PackB(_b, _k, _n, _transB, _pc, _kc, _jc + j0, Math.Min(NTile, _nc - j0), _nr,
                        _packedB.Pointer + (nint)j0 * _kc);
                    return;
                }
                index -= _tilesN;
            }
            int i0 = index * _mTile;
            GemmPacking.PackA(_a, _m, _k, _transA, _ic + i0, Math.Min(_mTile, _mc - i0), _pc, _kc, _mr,
                PackedA.Pointer + (nint)i0 * _kc);
        }

        /// <summary>Runs the micro-kernel over one MTile x NTile tile of the current C block (general path).</summary>
        private void ComputeTile(int tileRow, int tileColumn) =>
            ComputeTile(tileRow, tileColumn, PackedA.Pointer, _packedB.Pointer, _pc, _kc, _accumulateBlock);
    }
}
