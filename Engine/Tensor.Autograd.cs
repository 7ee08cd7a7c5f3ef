using RocketNet.Autograd;

namespace RocketNet;

public sealed partial class Tensor
{
    /// <summary>
    /// Backpropagates from this scalar (typically a loss): every leaf that requires grad and contributed
    /// to it gets dThis/dLeaf added to its <see cref="Grad"/>. The graph's saved values are freed
    /// afterwards unless <paramref name="retainGraph"/> is true.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The tensor is not a scalar, does not require grad, or its graph was already freed by an earlier call.
    /// </exception>
    public void Backward(bool retainGraph = false) => Backpropagation.Run(this, retainGraph);

    /// <summary>
    /// Sets <see cref="Grad"/>'s values to zero (keeps the buffer), like <c>optimizer.zero_grad()</c> per tensor.
    /// The clearing is deferred: an op whose backward writes this whole gradient (a linear layer's weight gradient)
    /// then skips both the clear and reading the zeros back; any other access clears first. A reference to the
    /// Grad tensor taken before this call still shows the old values until then.
    /// </summary>
    public void ZeroGrad()
    {
        if (_grad is not null || _gradState == GradState.RowSparse) _gradState = GradState.Zero;
    }
}
