using System.Numerics.Tensors;

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
            Span<float> g = p.Grad.Data, v = _velocity[i], w = p.Data;
            TensorPrimitives.MultiplyAdd(w, _weightDecay, g, g);
            TensorPrimitives.MultiplyAdd(v, _momentum, g, v);
            TensorPrimitives.MultiplyAdd(v, -_learningRate, w, w);
        }
    }
}
