// Softmax regression from scratch on tensors: docs/using.md's first snippet, run for a few hundred steps on random
// data whose labels a hidden linear rule decides, so the loss visibly falls. Engine only: no layers, no trainer.
using RocketNet;

var rng = new RandomGenerator(seed: 42);
var w = Tensor.RandomNormal([10, 784], rng, std: 0.01f).WithGrad();   // PyTorch layout [out, in]
var b = Tensor.Zeros(10).WithGrad();
var x = Tensor.RandomNormal([128, 784], rng);
var rule = Tensor.RandomNormal([10, 784], rng);                       // the hidden rule the labels follow
int[] labels = new int[128];
using (GradMode.NoGrad())
{
    var scores = Functional.Linear(x, rule, null);
    for (int i = 0; i < labels.Length; i++)
    {
        var row = scores.Data.Slice(i * 10, 10);
        labels[i] = row.IndexOf(RowMax(row));
    }
}

for (int step = 0; step <= 200; step++)
{
    // step-local tensors recycle their storage at the end
    using (TensorScope.Begin())
    {
        var logits = Functional.Linear(x, w, b);
        var loss = Functional.CrossEntropy(logits, labels);
        w.ZeroGrad();
        b.ZeroGrad();
        loss.Backward();                                              // w.Grad and b.Grad now hold dLoss/dw, dLoss/db
        if (step % 50 == 0) Console.WriteLine($"step {step}: loss {loss.Item():F4}");
    }
    using (GradMode.NoGrad())                                         // the update itself is not recorded
    {
        Sgd(w, 0.5f);
        Sgd(b, 0.5f);
    }
}

static void Sgd(Tensor parameter, float rate)
{
    var values = parameter.Data;
    var grad = parameter.Grad!.Data;
    for (int i = 0; i < values.Length; i++) values[i] -= rate * grad[i];
}

static float RowMax(ReadOnlySpan<float> row)
{
    float best = row[0];
    foreach (float v in row) best = Math.Max(best, v);
    return best;
}
