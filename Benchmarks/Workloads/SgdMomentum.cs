using System.Runtime.Intrinsics;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// The PyTorch SGD update the peer benchmark uses (momentum 0.9, weight decay 5e-4):
/// g ← g + wd·p; v ← μ·v + g; p ← p − lr·v. Kept here so the training-step benchmarks match the peer
/// exactly; the user-facing optimisers live in the Training project.
/// </summary>
public sealed class SgdMomentum
{
    private readonly Tensor[] _parameters;
    private readonly float[][] _velocity;
    private readonly float _learningRate, _momentum, _weightDecay;

    /// <summary>Creates the optimiser over <paramref name="parameters"/>.</summary>
    public SgdMomentum(Tensor[] parameters, float learningRate = 0.01f, float momentum = 0.9f, float weightDecay = 5e-4f)
    {
        _parameters = parameters;
        _velocity = parameters.Select(p => new float[p.Count]).ToArray();
        (_learningRate, _momentum, _weightDecay) = (learningRate, momentum, weightDecay);
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.ZeroGrad();
    }

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public void Step()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.Grad is null) continue;
            Update(p.Data, p.Grad.Data, _velocity[i]);
        }
    }

    /// <summary>
    /// One fused pass per parameter (reads w, g, v once, writes v and w): the update is memory-bound, and
    /// three separate TensorPrimitives passes moved 2.4x the bytes.
    /// </summary>
    private void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> v)
    {
        float lr = _learningRate, mu = _momentum, wd = _weightDecay;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vlr = Vector512.Create(lr);
            var vmu = Vector512.Create(mu);
            var vwd = Vector512.Create(wd);
            for (; i <= w.Length - 16; i += 16)
            {
                var wi = Vector512.Create(w.Slice(i, 16));
                var gi = Vector512.FusedMultiplyAdd(wi, vwd, Vector512.Create(g.Slice(i, 16)));
                var vi = Vector512.FusedMultiplyAdd(Vector512.Create(v.Slice(i, 16)), vmu, gi);
                vi.CopyTo(v.Slice(i, 16));
                Vector512.FusedMultiplyAdd(vi, -vlr, wi).CopyTo(w.Slice(i, 16));
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i] + wd * w[i];
            v[i] = mu * v[i] + gi;
            w[i] -= lr * v[i];
        }
    }
}
