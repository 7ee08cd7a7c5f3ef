using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// The optimisers' update kernels: one pass over each parameter that reads p, g and the state once and
/// writes them once (the update is memory-bound; separate elementwise passes would move several times
/// the bytes). Vector512 where the hardware has it, else Vector256, each loop written once over the register
/// width (<see cref="IFloatLanes{TVector}"/>), with a scalar tail that uses the same fused multiply-adds in the
/// same order, so every element gets bit-identical results whichever path handles it. The scalar tail is also the
/// family's reference: the update written out for one element.
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
public static unsafe class FusedUpdates
{
    /// <summary>
    /// Magnitudes below this are stored as zero (see the class remarks for why 1e-30, not the smallest normal).
    /// </summary>
    public const float FlushThreshold = 1e-30f;

    /// <summary>x, or 0 when |x| is below <see cref="FlushThreshold"/>.</summary>
    public static float FlushTiny(float x) => MathF.Abs(x) < FlushThreshold ? 0f : x;

    /// <summary>Plain SGD: p ← p − lr·(g + wd·p).</summary>
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, float lr, float wd)
    {
        KernelArguments.RequireLength(g.Length, p.Length, "FusedUpdates.Sgd", nameof(g));
        int i = 0;
        fixed (float* pp = p, gp = g)
        {
            if (VectorWidth.Use512) Sgd<Vector512<float>, Lanes512>(pp, gp, p.Length, lr, wd, ref i);
            else if (VectorWidth.Use256) Sgd<Vector256<float>, Lanes256>(pp, gp, p.Length, lr, wd, ref i);
            else if (VectorWidth.Use128) Sgd<Vector128<float>, Lanes128>(pp, gp, p.Length, lr, wd, ref i);
        }
        for (; i < p.Length; i++)
        {
            float gi = MathF.FusedMultiplyAdd(p[i], wd, g[i]);
            p[i] = FlushTiny(MathF.FusedMultiplyAdd(gi, -lr, p[i]));
        }
    }

    private static void Sgd<TVector, TLanes>(float* p, float* g, int length, float lr, float wd, ref int i)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        TVector vlr = TLanes.Broadcast(-lr), vwd = TLanes.Broadcast(wd), tiny = TLanes.Broadcast(FlushThreshold);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            var pi = TLanes.Load(p + i);
            var gi = TLanes.FusedMultiplyAdd(pi, vwd, TLanes.Load(g + i));
            TLanes.Store(TLanes.ZeroBelow(TLanes.FusedMultiplyAdd(gi, vlr, pi), tiny), p + i);
        }
    }

    /// <summary>
    /// SGD with momentum: d = g + wd·p; v = d (first step) or μ·v + d; d = d + μ·v (nesterov) or v; p −= lr·d.
    /// </summary>
    public static void SgdMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> v, float lr, float wd, float mu,
        bool nesterov, bool firstStep)
    {
        KernelArguments.RequireLength(g.Length, p.Length, "FusedUpdates.SgdMomentum", nameof(g));
        KernelArguments.RequireLength(v.Length, p.Length, "FusedUpdates.SgdMomentum", nameof(v));
        // Folding the first step into the formula: v = keep·v·μ + d with keep = 0 on the first step gives
        // exactly v = d (0·v is 0 for the zero-initialised buffer), so one loop serves both cases.
        var step = new MomentumStep(lr, wd, firstStep ? 0f : mu, nesterov ? mu : 0f, !nesterov);
        int i = 0;
        fixed (float* pp = p, gp = g, vp = v)
        {
            if (VectorWidth.Use512)
                SgdMomentum<Vector512<float>, Lanes512>(pp, gp, vp, p.Length, step, ref i);
            else if (VectorWidth.Use256)
                SgdMomentum<Vector256<float>, Lanes256>(pp, gp, vp, p.Length, step, ref i);
            else if (VectorWidth.Use128)
                SgdMomentum<Vector128<float>, Lanes128>(pp, gp, vp, p.Length, step, ref i);
        }
        for (; i < p.Length; i++)
        {
            float di = MathF.FusedMultiplyAdd(p[i], wd, g[i]);
            float vi = FlushTiny(MathF.FusedMultiplyAdd(v[i], step.VelocityMu, di));
            v[i] = vi;
            di = step.UseVelocity ? vi : MathF.FusedMultiplyAdd(vi, step.NesterovMu, di);
            p[i] = FlushTiny(MathF.FusedMultiplyAdd(di, -lr, p[i]));
        }
    }

    /// <summary>One momentum step's constants.</summary>
    /// <param name="Lr">The learning rate.</param>
    /// <param name="Wd">The weight decay.</param>
    /// <param name="VelocityMu">μ, or 0 on the first step (v = d).</param>
    /// <param name="NesterovMu">μ with Nesterov momentum (d + μ·v), else 0.</param>
    /// <param name="UseVelocity">True without Nesterov: the step is v itself.</param>
    private readonly record struct MomentumStep(float Lr, float Wd, float VelocityMu, float NesterovMu,
        bool UseVelocity);

    private static void SgdMomentum<TVector, TLanes>(float* p, float* g, float* v, int length, in MomentumStep step,
        ref int i)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        TVector vlr = TLanes.Broadcast(-step.Lr), vwd = TLanes.Broadcast(step.Wd);
        TVector vm = TLanes.Broadcast(step.VelocityMu), vn = TLanes.Broadcast(step.NesterovMu);
        TVector tiny = TLanes.Broadcast(FlushThreshold);
        bool useV = step.UseVelocity;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            var pi = TLanes.Load(p + i);
            var di = TLanes.FusedMultiplyAdd(pi, vwd, TLanes.Load(g + i));
            var vi = TLanes.ZeroBelow(TLanes.FusedMultiplyAdd(TLanes.Load(v + i), vm, di), tiny);
            TLanes.Store(vi, v + i);
            di = useV ? vi : TLanes.FusedMultiplyAdd(vi, vn, di);
            TLanes.Store(TLanes.ZeroBelow(TLanes.FusedMultiplyAdd(di, vlr, pi), tiny), p + i);
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
        KernelArguments.RequireLength(g.Length, p.Length, "FusedUpdates.Adam", nameof(g));
        KernelArguments.RequireLength(m.Length, p.Length, "FusedUpdates.Adam", nameof(m));
        KernelArguments.RequireLength(v.Length, p.Length, "FusedUpdates.Adam", nameof(v));
        float oneMinusBeta1 = 1 - a.Beta1, oneMinusBeta2 = 1 - a.Beta2;
        int i = 0;
        fixed (float* pp = p, gp = g, mp = m, vp = v)
        {
            if (VectorWidth.Use512)
                Adam<Vector512<float>, Lanes512>(pp, gp, mp, vp, p.Length, a, ref i);
            else if (VectorWidth.Use256)
                Adam<Vector256<float>, Lanes256>(pp, gp, mp, vp, p.Length, a, ref i);
            else if (VectorWidth.Use128)
                Adam<Vector128<float>, Lanes128>(pp, gp, mp, vp, p.Length, a, ref i);
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

    private static void Adam<TVector, TLanes>(float* p, float* g, float* m, float* v, int length,
        in AdamArguments a, ref int i)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        TVector f = TLanes.Broadcast(a.DecoupledFactor), wd = TLanes.Broadcast(a.CoupledDecay);
        TVector b1 = TLanes.Broadcast(1 - a.Beta1), b2 = TLanes.Broadcast(a.Beta2), c2 = TLanes.Broadcast(1 - a.Beta2);
        TVector sc = TLanes.Broadcast(a.SqrtCorrection2), eps = TLanes.Broadcast(a.Epsilon);
        TVector step = TLanes.Broadcast(-a.StepSize), tiny = TLanes.Broadcast(FlushThreshold);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            var pi = TLanes.Multiply(TLanes.Load(p + i), f);
            var gi = TLanes.FusedMultiplyAdd(pi, wd, TLanes.Load(g + i));
            var mi = TLanes.Load(m + i);
            mi = TLanes.ZeroBelow(TLanes.FusedMultiplyAdd(TLanes.Subtract(gi, mi), b1, mi), tiny);
            var vi = TLanes.ZeroBelow(
                TLanes.FusedMultiplyAdd(TLanes.Multiply(gi, gi), c2, TLanes.Multiply(TLanes.Load(v + i), b2)), tiny);
            TLanes.Store(mi, m + i);
            TLanes.Store(vi, v + i);
            var denominator = TLanes.Add(TLanes.Divide(TLanes.Sqrt(vi), sc), eps);
            TLanes.Store(TLanes.ZeroBelow(TLanes.FusedMultiplyAdd(TLanes.Divide(mi, denominator), step, pi), tiny),
                p + i);
        }
    }
}
