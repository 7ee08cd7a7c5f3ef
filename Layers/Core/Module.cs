using RocketNet.Shapes;

namespace RocketNet.Layers;

/// <summary>
/// Base class of every layer and network, like PyTorch's <c>nn.Module</c>: it owns named parameters
/// (tensors that require grad), named buffers (state such as batch-norm running statistics) and named
/// child modules, so every tensor has a hierarchical name like <c>group1.block0.conv0.weight</c>.
/// <see cref="Train"/> / <see cref="Eval"/> switch the mode of the whole tree.
/// </summary>
/// <remarks>
/// Sharing: the same child module (or parameter tensor) may be registered in several places — that is
/// how a booster and a light net share layers. <see cref="Parameters"/> and <see cref="ParameterCount"/>
/// count each tensor once, under the first name it was reached by.
/// </remarks>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output for <paramref name="input"/>.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>
    /// Describes this module's eval-mode forward pass as span-level steps for <see cref="DenseInferencePlan"/>, or
    /// returns false (the default) when it has no such description and serving must go through <see cref="Forward"/>.
    /// </summary>
    protected internal virtual bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) => false;

    /// <summary>Puts this module and all descendants in training (or, with false, evaluation) mode.</summary>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in _children) child.Train(training);
        return this;
    }

    /// <summary>
    /// Puts this module and all descendants in evaluation mode (batch norm uses running statistics, dropout is off).
    /// </summary>
    public Module Eval() => Train(false);

    /// <summary>Registers a parameter (sets <see cref="Tensor.RequiresGrad"/>) and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is taken.</exception>
    /// <exception cref="InvalidOperationException">The tensor belongs to a <see cref="TensorScope"/>.</exception>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        CheckName(name);
        RequireUnscoped(name, parameter);
        parameter.RequiresGrad = true;
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a buffer: state saved with the module that is not trained by gradients.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        RequireUnscoped(name, buffer);
        _buffers.Add((name, buffer));
        return buffer;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    /// <summary>The direct children, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>Every parameter of the tree with its hierarchical name; a shared tensor appears once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in Walk("", m => m._parameters))
            if (seen.Add(t)) yield return (name, t);
    }

    /// <summary>Every parameter tensor of the tree, each once.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer of the tree with its hierarchical name; a shared tensor appears once.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in Walk("", m => m._buffers))
            if (seen.Add(t)) yield return (name, t);
    }

    /// <summary>Number of trainable values (each shared tensor counted once).</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Count);

    /// <summary>Parameters and buffers by hierarchical name (the tensors themselves, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in NamedParameters()) state[name] = t;
        foreach (var (name, t) in NamedBuffers()) state[name] = t;
        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers, by name.
    /// With <paramref name="strict"/>, every name must be present on both sides.
    /// </summary>
    /// <exception cref="ArgumentException">A name is missing or unexpected (strict), or a shape differs; the message
    /// names it.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException(
                    $"State dictionary does not match the module: missing [{string.Join(", ", missing)}], unexpected " +
                    $"[{string.Join(", ", unexpected)}].");
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException(
                    $"State entry '{name}' has shape {ShapeMath.Format(source.Shape)} but the module expects " +
                    $"{ShapeMath.Format(target.Shape)}.");
            source.Data.CopyTo(target.Data);
        }
    }

    private IEnumerable<(string Name, Tensor Tensor)> Walk(string prefix, Func<Module, List<(string, Tensor)>> select)
    {
        foreach (var (name, t) in select(this)) yield return (prefix + name, t);
        foreach (var (name, child) in _children)
            foreach (var item in child.Walk(prefix + name + ".", select))
                yield return item;
    }

    private void RequireUnscoped(string name, Tensor tensor)
    {
        if (tensor.IsScoped)
            throw new InvalidOperationException(
                $"{GetType().Name}.{name} was created inside a TensorScope, so its storage would be " +
                "recycled when the scope ends. " +
                "Build modules outside scopes, or inside 'using (TensorScope.Unscoped())'.");
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Module member names must be non-empty and contain no '.', got '{name}'.",
                nameof(name));
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name)
            || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
    }
}
