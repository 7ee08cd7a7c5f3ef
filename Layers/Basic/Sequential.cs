namespace RocketNet.Layers;

/// <summary>Applies its children in order; they are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly Module[] _layers;

    /// <summary>Creates the chain.</summary>
    /// <exception cref="ArgumentException">A layer is null.</exception>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = (Module[])layers.Clone();
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i] is null) throw new ArgumentException($"Sequential: layer {i} is null.", nameof(layers));
            RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _layers[i]);
        }
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Length;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>
    /// Applies the layers in order. A <see cref="ReLU"/> directly followed by a <see cref="MaxPool2d"/> runs as
    /// one <see cref="Functional.ReluMaxPool2d"/> (same values and gradients, one full-size pass and tensor fewer).
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i] is ReLU && i + 1 < _layers.Length && _layers[i + 1] is MaxPool2d pool)
            {
                x = Functional.ReluMaxPool2d(x, pool.KernelSize, pool.Stride, pool.Padding);
                i++;
                continue;
            }
            x = _layers[i].Forward(x);
        }
        return x;
    }

    /// <inheritdoc/>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder)
    {
        foreach (var layer in _layers)
            if (!layer.TryAddInferenceSteps(builder)) return false;
        return true;
    }
}
