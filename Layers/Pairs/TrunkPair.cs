namespace RocketNet.Layers;

/// <summary>
/// A general booster/light pair for any architecture: a shared trunk module feeding a booster head and a
/// light head. Booster = <see cref="TrunkHeadNet"/>(trunk, boosterHead), Light = (trunk, lightHead).
/// <see cref="ForwardPair(Tensor)"/> runs the trunk once. The trunk may not contain batch norm (batch norm is never
/// shared between the nets: put it in the heads).
/// <para>
/// <see cref="ExtractLight"/> needs a way to build a fresh light net of the same architecture: pass
/// <c>createLightCopy</c> (returning e.g. <c>new TrunkHeadNet(freshTrunk, freshLightHead)</c>) or a
/// <see cref="PairSpec"/>.
/// </para>
/// </summary>
public class TrunkPair : RocketPair
{
    private readonly TrunkHeadNet _booster;
    private readonly TrunkHeadNet _light;
    private readonly Func<Module>? _createLightCopy;
    private readonly PairSpec? _spec;

    /// <summary>Pairs the given parts.</summary>
    /// <param name="trunk">Shared lower layers (no batch norm inside).</param>
    /// <param name="boosterHead">Booster-only layers producing the booster logits z.</param>
    /// <param name="lightHead">Light-only layers producing the light logits l.</param>
    /// <param name="createLightCopy">Builds a fresh light net with this pair's light architecture (names
    /// "trunk.…", "head.…"), used by <see cref="ExtractLight"/>; optional.</param>
    /// <exception cref="ArgumentException">The trunk contains batch norm, or a head is the same module as the
    /// other.</exception>
    public TrunkPair(Module trunk, Module boosterHead, Module lightHead, Func<Module>? createLightCopy = null)
        : this(trunk, boosterHead, lightHead, createLightCopy, null)
    {
    }

    /// <summary>
    /// Pairs parts built from <paramref name="spec"/> (which also rebuilds the light net for extraction).
    /// </summary>
    protected TrunkPair(Module trunk, Module boosterHead, Module lightHead, PairSpec spec)
        : this(trunk, boosterHead, lightHead, null, spec ?? throw new ArgumentNullException(nameof(spec)))
    {
    }

    private TrunkPair(Module trunk, Module boosterHead, Module lightHead, Func<Module>? createLightCopy, PairSpec? spec)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        ArgumentNullException.ThrowIfNull(boosterHead);
        ArgumentNullException.ThrowIfNull(lightHead);
        if (ReferenceEquals(boosterHead, lightHead))
            throw new ArgumentException(
                "TrunkPair: the booster and light heads must be different modules.", nameof(lightHead));
        if (FindBatchNorm(trunk, "trunk") is string where)
            throw new ArgumentException(
                $"TrunkPair: the shared trunk contains batch norm at '{where}'; batch norm is never shared between " +
                "booster and light net — move it into the heads.", nameof(trunk));
        (_createLightCopy, _spec) = (createLightCopy, spec);
        _booster = RegisterModule("booster", new TrunkHeadNet(trunk, boosterHead));
        _light = RegisterModule("light", new TrunkHeadNet(trunk, lightHead));
    }

    /// <summary>Creates a general pair; same as the public constructor.</summary>
    public static TrunkPair FromTrunk(Module trunk, Module boosterHead, Module lightHead,
        Func<Module>? createLightCopy = null) =>
        new(trunk, boosterHead, lightHead, createLightCopy);

    /// <summary>The shared trunk.</summary>
    public Module Trunk => _booster.Trunk;

    /// <summary>The booster head.</summary>
    public Module BoosterHead => _booster.Head;

    /// <summary>The light head.</summary>
    public Module LightHead => _light.Head;

    /// <inheritdoc/>
    public override Module Booster => _booster;

    /// <inheritdoc/>
    public override Module Light => _light;

    /// <inheritdoc/>
    public override PairSpec Spec => _spec ?? base.Spec;

    /// <inheritdoc/>
    public override (Tensor BoosterLogits, Tensor LightLogits) ForwardPair(Tensor input)
    {
        var shared = _booster.Trunk.Forward(input);
        return (_booster.Head.Forward(shared), _light.Head.Forward(shared));
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Hidden features were asked for but a head is not a
    /// <see cref="Sequential"/>.</exception>
    public override PairOutputs ForwardPair(Tensor input, PairForwardOptions options)
    {
        var shared = _booster.Trunk.Forward(input);
        // The booster always reads the live trunk output, so its cross-entropy trains the shared layers.
        var lightInput = options.LightDetachesShared ? Tensor.StopGradient(shared) : shared;
        if (!options.CollectHiddenFeatures)
            return new PairOutputs(_booster.Head.Forward(shared), _light.Head.Forward(lightInput), [], []);
        var (booster, boosterHidden) = ForwardCollecting(_booster.Head, shared, "booster");
        var (light, lightHidden) = ForwardCollecting(_light.Head, lightInput, "light");
        return new PairOutputs(booster, light, boosterHidden, lightHidden);
    }

    // A head's output and the activations after each of its ReLUs (the hidden layers' outputs, [N, width]).
    private static (Tensor Output, List<Tensor> Hidden) ForwardCollecting(Module head, Tensor x, string name)
    {
        if (head is not Sequential layers)
            throw new NotSupportedException(
                $"TrunkPair: the {name} head is a {head.GetType().Name}, not a Sequential, so its hidden " +
                "layers cannot be collected.");
        var hidden = new List<Tensor>();
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].Forward(x);
            if (layers[i] is ReLU) hidden.Add(x);
        }
        return (x, hidden);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Neither a light-copy factory nor a spec was given.</exception>
    public override Module ExtractLight()
    {
        using var unscoped = TensorScope.Unscoped(); // the copy outlives any step the caller is in
        Module fresh = _spec?.CreateLight(new RandomGenerator(0))
            ?? _createLightCopy?.Invoke()
            ?? throw new InvalidOperationException(
                "TrunkPair.ExtractLight needs to build a fresh light net: pass createLightCopy to the constructor.");
        return LightExtraction.CopyInto(fresh, _light);
    }

    private static string? FindBatchNorm(Module module, string path)
    {
        if (module is BatchNorm) return path;
        foreach (var (name, child) in module.NamedChildren())
        {
            if (FindBatchNorm(child, path + "." + name) is string found) return found;
        }
        return null;
    }
}
