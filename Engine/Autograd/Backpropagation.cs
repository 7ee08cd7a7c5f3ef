using RocketNet.Memory;
using RocketNet.Shapes;

namespace RocketNet.Autograd;

/// <summary>
/// Reverse-mode differentiation: a topological sort of the graph behind a scalar, then each node's
/// backward in reverse order. Non-leaf gradient buffers are pooled and returned as soon as their node
/// has run; leaf gradients accumulate into <see cref="Tensor.Grad"/>. Allocation-free once warm.
/// </summary>
internal static class Backpropagation
{
    [ThreadStatic] private static List<Tensor>? _order;
    [ThreadStatic] private static Stack<(Tensor Tensor, int NextInput)>? _stack;
    private static int _stamp;

    public static void Run(Tensor root, bool retainGraph)
    {
        if (root.Count != 1)
            throw new InvalidOperationException(
                "Backward() needs a scalar (one-element) tensor such as a loss, but this tensor has shape " +
                $"{ShapeMath.Format(root.Shape)}. " +
                "Reduce it first (e.g. Sum() or Mean()).");
        if (!root.RequiresGrad)
            throw new InvalidOperationException(
                "Backward() was called on a tensor that does not require grad: none of its inputs " +
                "had RequiresGrad = true, " +
                "or it was computed inside GradMode.NoGrad() or from Detach()ed tensors.");
        if (root.GradFn is { IsReleased: true })
            throw ReleasedGraph(root.GradFn);

        var order = TopologicalOrder(root);
        try
        {
            GradientBuffer(root)[0] += 1f; // dL/dL
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                var fn = t.GradFn!;
                if (fn.IsReleased) throw ReleasedGraph(fn);
                float[]? grad = t.PendingGrad;
                if (grad is null) continue; // no gradient reached this node (e.g. only through a detached path)
                fn.Backward(t, t.PendingGradValues);
                // Null if the op handed the buffer to an input (HandOverGradient): it is that input's now.
                if (t.PendingGrad is not null)
                {
                    t.PendingGrad = null;
                    BufferPool.Return(grad);
                }
                if (!retainGraph) fn.Release();
            }
        }
        finally
        {
            // On failure, leave no half-accumulated buffers behind.
            foreach (var t in order)
            {
                if (t.PendingGrad is { } g)
                {
                    t.PendingGrad = null;
                    BufferPool.Return(g);
                }
            }
            order.Clear();
        }
    }

    /// <summary>Where backward accumulates the gradient of <paramref name="t"/>; empty if it needs none.</summary>
    public static Span<float> GradientBuffer(Tensor t)
    {
        if (!t.RequiresGrad) return Span<float>.Empty;
        if (t.IsLeaf)
        {
            t.Grad ??= Tensor.CreatePersistent(t.Shape.ToArray());
            return t.Grad.Data;
        }
        if (t.PendingGrad is null)
        {
            t.RentPendingGrad();
            Kernels.ElementwiseKernels.Clear(t.PendingGradValues); // chunked over the engine's threads
        }
        return t.PendingGradValues;
    }

    /// <summary>
    /// As <see cref="GradientBuffer"/>, for an op that can write the whole gradient instead of adding to it:
    /// when nothing has reached <paramref name="t"/> yet (a non-leaf whose buffer does not exist, or a leaf whose
    /// gradient is zero after <see cref="Tensor.ZeroGrad"/> or not yet created), the buffer is not cleared and
    /// <paramref name="overwrite"/> is true — the caller must then write every element.
    /// Saves clearing the buffer and reading it back, a measurable share of a WRN step.
    /// </summary>
    public static Span<float> GradientBufferForOverwrite(Tensor t, out bool overwrite)
    {
        if (t.RequiresGrad && t.IsLeaf) return t.GradForOverwrite(out overwrite).Data;
        overwrite = t.RequiresGrad && t.PendingGrad is null; // a non-leaf here
        if (!overwrite) return GradientBuffer(t);
        t.RentPendingGrad();
        return t.PendingGradValues;
    }

    /// <summary>
    /// Makes <paramref name="output"/>'s gradient buffer <paramref name="input"/>'s gradient, without a copy, when
    /// that is exactly what input's gradient would become (dL/dinput += dL/doutput, as for a residual connection) and
    /// nothing has reached input yet. Only during output's backward; the op may keep reading dy afterwards but must
    /// not write input's gradient through another sink in the same call (so input must not be another of its inputs).
    /// </summary>
    public static bool HandOverGradient(Tensor output, Tensor input)
    {
        if (!input.RequiresGrad || input.IsLeaf || input.PendingGrad is not null || output.PendingGrad is null
            || input.Count != output.Count)
            return false;
        input.PendingGrad = output.PendingGrad;
        input.PendingGradOffset = output.PendingGradOffset;
        output.PendingGrad = null;
        return true;
    }

    /// <summary>
    /// Non-leaf tensors reachable from <paramref name="root"/>, inputs before the tensors computed from them.
    /// </summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = _order ??= new List<Tensor>(256);
        var stack = _stack ??= new Stack<(Tensor, int)>(256);
        int stamp = Interlocked.Increment(ref _stamp);
        if (root.IsLeaf) return order;
        root.VisitStamp = stamp;
        stack.Push((root, 0));
        // Iterative depth-first search: deep networks would overflow a recursive one.
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn!.Inputs;
            while (next < inputs.Length)
            {
                var input = inputs[next++];
                if (input.IsLeaf || !input.RequiresGrad || input.VisitStamp == stamp) continue;
                input.VisitStamp = stamp;
                stack.Push((t, next));
                t = input;
                inputs = t.GradFn!.Inputs;
                next = 0;
            }
            order.Add(t);
        }
        return order;
    }

    private static InvalidOperationException ReleasedGraph(Function fn) => new(
        $"Backward() reached the {fn.Name} operation whose saved values were already freed by an earlier Backward(). " +
        "Call Backward(retainGraph: true) the first time if you need to backpropagate through the same graph twice.");
}
