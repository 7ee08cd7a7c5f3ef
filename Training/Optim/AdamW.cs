namespace RocketNet.Training.Optim;

/// <summary>
/// AdamW (<c>torch.optim.AdamW</c>): Adam whose weight decay is decoupled from the gradient — each step
/// first shrinks the parameter, p ← p·(1 − lr·wd), then applies the plain Adam update.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates AdamW; PyTorch's default decoupled weight decay is 0.01.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A β is outside [0, 1), ε is not positive, or weight decay is
    /// negative.</exception>
    public AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0.01)
        : base(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: true)
    {
    }
}
