namespace RocketNet;

/// <summary>
/// Whether operations record the graph for backpropagation on the current thread. Inside
/// <see cref="NoGrad"/> nothing is recorded (inference, parameter updates), like <c>torch.no_grad()</c>.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _noGradDepth;

    /// <summary>True when operations record their inputs for <see cref="Tensor.Backward"/>.</summary>
    public static bool IsEnabled => _noGradDepth == 0;

    /// <summary>
    /// Disables graph recording until the returned token is disposed:
    /// <c>using (GradMode.NoGrad()) { ... }</c>. Nestable; allocates nothing.
    /// </summary>
    public static NoGradToken NoGrad()
    {
        _noGradDepth++;
        return default;
    }

    /// <summary>Ends a <see cref="NoGrad"/> region when disposed.</summary>
    public readonly struct NoGradToken : IDisposable
    {
        /// <summary>Re-enables recording (if this was the outermost region).</summary>
        public void Dispose()
        {
            if (_noGradDepth > 0) _noGradDepth--;
        }
    }
}
