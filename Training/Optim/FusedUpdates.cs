using System.Runtime.Intrinsics;

namespace RocketNet.Training.Optim;

/// <summary>
/// The optimisers' update kernels: one pass over each parameter that reads p, g and the state once and
/// writes them once (the update is memory-bound; separate elementwise passes would move several times
/// the bytes). Vector512 where the hardware has it, else Vector256, with a scalar tail that uses the same
/// fused multiply-adds, so every element gets bit-identical results whichever path handles it.
/// <para>
/// Every value written (parameters and optimiser moments) is flushed to zero when its magnitude falls below
/// 1e-30. Without this, weights that only weight decay moves (dead ReLU units, embedding rows that are rarely
/// looked up) shrink geometrically toward zero, and x86 cores take a microcode assist on every arithmetic
/// operation with a subnormal operand or result: on the synthetic click log with Adam the light tower's GEMMs
/// slowed about tenfold within a few thousand steps. Flushing only subnormals is not enough: values in
/// [1.5e-38, 1e-30] are normal, but their products with activations of ~0.01 are subnormal, and a served request
/// pays for them too (figures in docs/performance.md). .NET cannot set the FTZ/DAZ bits of MXCSR, so the
/// optimisers do it for the values they own. Below 1e-30 a weight contributes less than 1e-22 of any sum whose
/// other terms are of order one — nothing a float can hold — and Adam's moments below it change no update
/// (√1e-30 ≪ ε).
/// </para>
/// </summary>
internal static class FusedUpdates
{
    /// <summary>
    /// Magnitudes below this are stored as zero (see the class remarks for why 1e-30, not the smallest normal).
    /// </summary>
    public const float FlushThreshold = 1e-30f;

    /// <summary>x, or 0 when |x| is below <see cref="FlushThreshold"/>.</summary>
    public static float FlushTiny(float x) => MathF.Abs(x) < FlushThreshold ? 0f : x;

    private static Vector512<float> FlushTiny(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(FlushThreshold)),
            Vector512<float>.Zero, x);

    private static Vector256<float> FlushTiny(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(FlushThreshold)),
            Vector256<float>.Zero, x);

    /// <summary>Plain SGD: p ← p − lr·(g + wd·p).</summary>
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, float lr, float wd)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> vlr = Vector512.Create(-lr), vwd = Vector512.Create(wd);
            for (; i <= p.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var pi = Vector512.Create(p.Slice(i));
                var gi = Vector512.FusedMultiplyAdd(pi, vwd, Vector512.Create(g.Slice(i)));
                FlushTiny(Vector512.FusedMultiplyAdd(gi, vlr, pi)).CopyTo(p.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vlr = Vector256.Create(-lr), vwd = Vector256.Create(wd);
            for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pi = Vector256.Create(p.Slice(i));
                var gi = Vector256.FusedMultiplyAdd(pi, vwd, Vector256.Create(g.Slice(i)));
                FlushTiny(Vector256.FusedMultiplyAdd(gi, vlr, pi)).CopyTo(p.Slice(i));
            }
        }
        for (; i < p.Length; i++)
        {
            float gi = MathF.FusedMultiplyAdd(p[i], wd, g[i]);
            p[i] = FlushTiny(MathF.FusedMultiplyAdd(gi, -lr, p[i]));
        }
    }

    /// <summary>
    /// SGD with momentum: d = g + wd·p; v = d (first step) or μ·v + d; d = d + μ·v (nesterov) or v; p −= lr·d.
    /// </summary>
    public static void SgdMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> v, float lr, float wd, float mu,
        bool nesterov, bool firstStep)
    {
        // Folding the first step into the formula: v = keep·v·μ + d with keep = 0 on the first step gives
        // exactly v = d (0·v is 0 for the zero-initialised buffer), so one loop serves both cases.
        float vmu = firstStep ? 0f : mu;
        float nmu = nesterov ? mu : 0f;   // d + nmu·v when nesterov
        bool useV = !nesterov;             // d = v otherwise
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> vlr = Vector512.Create(-lr), vwd = Vector512.Create(wd), vm = Vector512.Create(vmu),
                vn = Vector512.Create(nmu);
            for (; i <= p.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var pi = Vector512.Create(p.Slice(i));
                var di = Vector512.FusedMultiplyAdd(pi, vwd, Vector512.Create(g.Slice(i)));
                var vi = FlushTiny(Vector512.FusedMultiplyAdd(Vector512.Create(v.Slice(i)), vm, di));
                vi.CopyTo(v.Slice(i));
                di = useV ? vi : Vector512.FusedMultiplyAdd(vi, vn, di);
                FlushTiny(Vector512.FusedMultiplyAdd(di, vlr, pi)).CopyTo(p.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vlr = Vector256.Create(-lr), vwd = Vector256.Create(wd), vm = Vector256.Create(vmu),
                vn = Vector256.Create(nmu);
            for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pi = Vector256.Create(p.Slice(i));
                var di = Vector256.FusedMultiplyAdd(pi, vwd, Vector256.Create(g.Slice(i)));
                var vi = FlushTiny(Vector256.FusedMultiplyAdd(Vector256.Create(v.Slice(i)), vm, di));
                vi.CopyTo(v.Slice(i));
                di = useV ? vi : Vector256.FusedMultiplyAdd(vi, vn, di);
                FlushTiny(Vector256.FusedMultiplyAdd(di, vlr, pi)).CopyTo(p.Slice(i));
            }
        }
        for (; i < p.Length; i++)
        {
            float di = MathF.FusedMultiplyAdd(p[i], wd, g[i]);
            float vi = FlushTiny(MathF.FusedMultiplyAdd(v[i], vmu, di));
            v[i] = vi;
            di = useV ? vi : MathF.FusedMultiplyAdd(vi, nmu, di);
            p[i] = FlushTiny(MathF.FusedMultiplyAdd(di, -lr, p[i]));
        }
    }

    /// <summary>Per-step constants of an Adam update.</summary>
    /// <param name="StepSize">lr / (1 − β1ᵗ).</param>
    /// <param name="SqrtCorrection2">√(1 − β2ᵗ).</param>
    /// <param name="Beta1">β1.</param>
    /// <param name="Beta2">β2.</param>
    /// <param name="Epsilon">ε.</param>
    /// <param name="CoupledDecay">wd added to the gradient (Adam), 0 for AdamW.</param>
    /// <param name="DecoupledFactor">1 − lr·wd applied to p first (AdamW), 1 for Adam.</param>
    public readonly record struct AdamArguments(float StepSize, float SqrtCorrection2, float Beta1, float Beta2,
        float Epsilon, float CoupledDecay, float DecoupledFactor);

    /// <summary>
    /// Adam/AdamW in PyTorch's operation order: p ·= f; g += wd·p; m += (1−β1)(g − m); v = β2·v + (1−β2)·g²;
    /// p −= step·m / (√v / √c2 + ε).
    /// </summary>
    public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamArguments a)
    {
        float oneMinusBeta1 = 1 - a.Beta1, oneMinusBeta2 = 1 - a.Beta2;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> f = Vector512.Create(a.DecoupledFactor), wd = Vector512.Create(a.CoupledDecay),
                b1 = Vector512.Create(oneMinusBeta1), b2 = Vector512.Create(a.Beta2),
                    c2 = Vector512.Create(oneMinusBeta2),
                sc = Vector512.Create(a.SqrtCorrection2), eps = Vector512.Create(a.Epsilon),
                    step = Vector512.Create(-a.StepSize);
            for (; i <= p.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var pi = Vector512.Create(p.Slice(i)) * f;
                var gi = Vector512.FusedMultiplyAdd(pi, wd, Vector512.Create(g.Slice(i)));
                var mi = Vector512.Create(m.Slice(i));
                mi = FlushTiny(Vector512.FusedMultiplyAdd(gi - mi, b1, mi));
                var vi = FlushTiny(Vector512.FusedMultiplyAdd(gi * gi, c2, Vector512.Create(v.Slice(i)) * b2));
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                var denominator = Vector512.Sqrt(vi) / sc + eps;
                FlushTiny(Vector512.FusedMultiplyAdd(mi / denominator, step, pi)).CopyTo(p.Slice(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> f = Vector256.Create(a.DecoupledFactor), wd = Vector256.Create(a.CoupledDecay),
                b1 = Vector256.Create(oneMinusBeta1), b2 = Vector256.Create(a.Beta2),
                    c2 = Vector256.Create(oneMinusBeta2),
                sc = Vector256.Create(a.SqrtCorrection2), eps = Vector256.Create(a.Epsilon),
                    step = Vector256.Create(-a.StepSize);
            for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pi = Vector256.Create(p.Slice(i)) * f;
                var gi = Vector256.FusedMultiplyAdd(pi, wd, Vector256.Create(g.Slice(i)));
                var mi = Vector256.Create(m.Slice(i));
                mi = FlushTiny(Vector256.FusedMultiplyAdd(gi - mi, b1, mi));
                var vi = FlushTiny(Vector256.FusedMultiplyAdd(gi * gi, c2, Vector256.Create(v.Slice(i)) * b2));
                mi.CopyTo(m.Slice(i));
                vi.CopyTo(v.Slice(i));
                var denominator = Vector256.Sqrt(vi) / sc + eps;
                FlushTiny(Vector256.FusedMultiplyAdd(mi / denominator, step, pi)).CopyTo(p.Slice(i));
            }
        }
        for (; i < p.Length; i++)
        {
            float pi = p[i] * a.DecoupledFactor;
            float gi = MathF.FusedMultiplyAdd(pi, a.CoupledDecay, g[i]);
            float mi = FlushTiny(MathF.FusedMultiplyAdd(gi - m[i], oneMinusBeta1, m[i]));
            float vi = FlushTiny(MathF.FusedMultiplyAdd(gi * gi, oneMinusBeta2, v[i] * a.Beta2));
            m[i] = mi;
            v[i] = vi;
            float denominator = MathF.Sqrt(vi) / a.SqrtCorrection2 + a.Epsilon;
            p[i] = FlushTiny(MathF.FusedMultiplyAdd(mi / denominator, -a.StepSize, pi));
        }
    }
}
