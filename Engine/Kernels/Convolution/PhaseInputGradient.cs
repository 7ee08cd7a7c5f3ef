using System.Runtime.CompilerServices;

namespace RocketNet.Kernels;

/// <summary>
/// Input gradient of strided convolutions whose im2col rows are phase planes (<see cref="StridePhases"/>,
/// stride s &gt; 1: 3×3 pad 1 and 1×1 pad 0 on even sizes) as one implicit convolution per phase. Phase (a, b)
/// of gradX, the OH × OW plane gradX[c, s·i + a, s·j + b], receives from each tap (kh, kw) of that phase, with
/// shift (di, dj), gradY[o, i − di, j − dj] · w[o, c, kh, kw]: a stride-1 convolution of gradY (O input
/// channels, C output channels) with the phase's taps at the negated shifts, run by
/// <see cref="ImplicitTapSet"/> and the same micro-kernel as the forward pass. No im2col matrix, no fold.
/// <para>
/// One parallel tile per image: its phases go to per-thread scratch [s, s, C, OH, OW] and are interleaved
/// into gradX (<see cref="StridePhases.Interleave"/>) while still in cache. Phase-major, so the 16 rows a
/// micro-kernel tile stores are one phase plane apart, not s·s planes (at 16 × 16 phases that would be 4 KB:
/// every row in one L1 set). A phase no tap reaches (all but (0, 0) for a 1×1 kernel) is not computed: zeros
/// when overwriting gradX, untouched when accumulating. Every element is summed in an order fixed by the
/// geometry, so results do not depend on the thread count.
/// </para>
/// </summary>
internal static unsafe class PhaseInputGradient
{
    [ThreadStatic] private static PhaseJob? _job;

    [ThreadStatic] private static GemmScratch? _phases; // per-thread [s, s, C, OH, OW] of one image

    /// <summary>
    /// True when this machine runs the implicit kernels and <paramref name="g"/> is a strided phase geometry.
    /// </summary>
    public static bool Applies(in ConvGeometry g) =>
        ImplicitConvolution.Available && g.StrideH > 1 && StridePhases.Applies(g);

    /// <summary>
    /// gradX (+)= ∂L/∂x. gradY: [N, O, OH, OW], w: [O, C, KH, KW], gradX: [N, C, H, W] (overwritten, every
    /// element, unless <paramref name="accumulate"/>). Needs <see cref="Applies"/>.
    /// </summary>
    public static void Run(in ConvGeometry g, float* gradY, float* w, float* gradX, bool accumulate)
    {
        var job = _job ??= new PhaseJob();
        job.Prepare(g, gradY, w, gradX, accumulate);
        if (g.Batch >= Parallelism.ThreadCount && Parallelism.ThreadCount > 1) Parallelism.For(g.Batch, job);
        else for (int n = 0; n < g.Batch; n++) job.Run(n);
        job.Clear();
    }

    /// <summary>One call's state, cached per calling thread so steady-state calls allocate nothing.</summary>
    private sealed class PhaseJob : ParallelJob
    {
        private readonly List<ImplicitTapSet> _taps = [];   // [s·s]: one product per phase
        private readonly GemmScratch _phaseWeights = new(); // one phase's [C, O, taps of the phase]
        private int[] _phaseTaps = [];                      // taps of the phase being prepared
        private ConvGeometry _g;
        private float* _gradY, _gradX;
        private bool _accumulate;
        private int _computed;                              // bit a·s + b: phase (a, b) has taps

        // the weight loops run once per call; tiered code is slow
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Prepare(in ConvGeometry g, float* gradY, float* w, float* gradX, bool accumulate)
        {
            _g = g; _gradY = gradY; _gradX = gradX; _accumulate = accumulate; _computed = 0;
            int s = g.StrideH, taps = g.KernelHeight * g.KernelWidth, plane = g.OutHeight * g.OutWidth;
            int inChannels = g.InChannels, outChannels = g.OutChannels;
            while (_taps.Count < s * s) _taps.Add(new ImplicitTapSet());
            if (_phaseTaps.Length < taps) _phaseTaps = new int[taps];
            for (int phase = 0; phase < s * s; phase++)
            {
                int count = 0;
                for (int tap = 0; tap < taps; tap++)
                {
                    StridePhases.Shift(g, tap, out int tapPhase, out _, out _);
                    if (tapPhase == phase) _phaseTaps[count++] = tap;
                }
                if (count == 0) continue;
                _computed |= 1 << phase;
                // Product rows c, k columns (o, t): weights[c, o, t] = w[o, c, phaseTaps[t]]; row (o, t) reads
                // gradY plane o at (i − di, j − dj).
                var set = _taps[phase];
                set.Prepare(count, outChannels, plane, plane);
                float* weights = _phaseWeights.Ensure(inChannels * outChannels * count);
                for (int t = 0; t < count; t++)
                {
                    int tap = _phaseTaps[t];
                    StridePhases.Shift(g, tap, out _, out int di, out int dj);
                    set.SetShiftedTap(t, -di * g.OutWidth - dj, -di, -dj, g.OutHeight, g.OutWidth);
                    for (int c = 0; c < inChannels; c++)
                        for (int o = 0; o < outChannels; o++)
                            weights[((nint)c * outChannels + o) * count + t] =
                                w[((nint)o * inChannels + c) * taps + tap];
                }
                set.Pack(weights, inChannels);
            }
        }

        public void Clear() { _gradY = _gradX = null; }

        /// <summary>Tile = one image: every computed phase into scratch, then all of them into gradX[n].</summary>
        public override void Run(int index)
        {
            var g = _g;
            int s = g.StrideH, plane = g.OutHeight * g.OutWidth, imageLength = g.InChannels * g.Height * g.Width;
            float* phases = (_phases ??= new GemmScratch()).Ensure(imageLength); // [s, s, C, OH, OW]
            float* imageGradY = _gradY + (long)index * g.OutChannels * plane;
            for (int phase = 0; phase < s * s; phase++)
            {
                if ((_computed >> phase & 1) == 0) continue;
                _taps[phase].Multiply(imageGradY, phases + (nint)phase * g.InChannels * plane, plane, 0, plane, false);
            }
            StridePhases.Interleave(g, phases, _gradX + (long)index * imageLength, _accumulate);
        }
    }
}
