using System.Text;
using RocketNet.Shapes;

namespace RocketNet.Tests;

/// <summary>The outcome of a gradient check: whether it passed, and if not, a diagnosis.</summary>
public sealed record GradientCheckResult(bool Passed, string Message, int ElementsChecked);

/// <summary>Thrown by <see cref="GradientCheck.Assert"/> when analytic and numeric gradients disagree.</summary>
public sealed class GradientCheckException(string message) : Exception(message);

/// <summary>
/// The one gradient checker of the suite. For an op f and inputs x₁..xₙ it builds the scalar
/// L = Σ f(x) ⊙ R with a fixed random R (so the upstream gradient is not uniform and a backward that
/// ignores dy, or mixes up its elements, is caught), runs <see cref="Tensor.Backward"/>, and compares every
/// input's <see cref="Tensor.Grad"/> with central differences (L(x + h eᵢ) − L(x − h eᵢ)) / 2h evaluated
/// under <see cref="GradMode.NoGrad"/>. Inputs with more than <c>maxElementsPerInput</c> elements are
/// checked on a random subset; in addition one random-direction check (HIPS autograd style: ⟨∇L, v⟩ vs
/// (L(x + hv) − L(x − hv)) / 2h over all inputs at once) covers every element.
/// </summary>
/// <remarks>
/// Tolerances, chosen for a float32 engine:
/// <list type="bullet">
/// <item>Step h = <see cref="RelativeStep"/> · max(1, |xᵢ|) = 1e-2 scaled. Roundoff in L is about
/// 6e-8·|L| (float32 ε), so its error in the difference quotient is ~6e-6·|L|; the truncation error
/// is h²·|f'''|/6 ≈ 2e-5·|f'''|. 1e-2 balances the two for the smooth ops tested (|x| ≲ 3).</item>
/// <item>Pass when |analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|) with
/// rtol = <see cref="Rtol"/> = 2e-2 and atol = <see cref="AtolFactor"/> · scale = 1e-2 · max(1, max|analytic|
/// of that input) — absolute errors scale with the size of the gradient being checked. Wrong backward
/// formulas (a missing factor 2, y instead of y(1−y), a dropped broadcast sum) are off by 25 % or more,
/// far outside these bounds.</item>
/// </list>
/// Keep inputs away from non-differentiable points (relu at 0, ties for max, log/sqrt near 0, division
/// near 0) by more than h, or the numeric side is meaningless.
/// </remarks>
public static class GradientCheck
{
    public const double RelativeStep = 1e-2;
    public const double Rtol = 2e-2;
    public const double AtolFactor = 1e-2;

    /// <summary>Runs the check and throws <see cref="GradientCheckException"/> with a diagnosis on failure.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, Tensor[] inputs, ulong seed = 12345,
        int maxElementsPerInput = 60, string? what = null)
    {
        var result = Run(f, inputs, seed, maxElementsPerInput, what);
        if (!result.Passed) throw new GradientCheckException(result.Message);
    }

    /// <summary>
    /// Checks d(Σ f(x) ⊙ R)/dx for every input. The inputs are turned into leaves that require grad (their
    /// values are restored afterwards); any previous <see cref="Tensor.Grad"/> is discarded.
    /// </summary>
    public static GradientCheckResult Run(Func<Tensor[], Tensor> f, Tensor[] inputs, ulong seed = 12345,
        int maxElementsPerInput = 60, string? what = null)
    {
        var rng = new RandomGenerator(seed);
        foreach (var x in inputs)
        {
            if (!x.IsLeaf) throw new ArgumentException("GradientCheck inputs must be leaf tensors.");
            x.RequiresGrad = true;
            x.Grad = null;
        }

        // Forward + backward of L = Σ f(x) ⊙ R.
        var y = f(inputs);
        var r = new float[y.Count];
        for (int i = 0; i < r.Length; i++) r[i] = (float)(0.5 + rng.NextDouble()) * (rng.NextInt(2) == 0 ? -1 : 1);
        var weights = TestData.FromArray(r, y.Shape.ToArray());
        var loss = (y * weights).Sum();
        loss.Backward();
        var analytic = new float[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
            analytic[i] = inputs[i].Grad?.ToArray() ?? new float[inputs[i].Count]; // no Grad = no path = zero

        double Evaluate()
        {
            using var _ = GradMode.NoGrad();
            var value = f(inputs);
            if (!value.Shape.SequenceEqual(y.Shape))
                throw new InvalidOperationException("f changed its output shape between calls.");
            ReadOnlySpan<float> v = value.Data;
            double sum = 0;
            for (int i = 0; i < v.Length; i++) sum += (double)v[i] * r[i];
            return sum;
        }

        string label = what is null ? "" : $" ({what})";
        int checkedCount = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            float[] g = analytic[i];
            double scale = 1;
            foreach (float v in g) scale = Math.Max(scale, Math.Abs(v));
            double atol = AtolFactor * scale;
            foreach (int e in ElementsToCheck(x.Count, maxElementsPerInput, rng))
            {
                float original = x.Data[e];
                double h = RelativeStep * Math.Max(1, Math.Abs(original));
                float plus = (float)(original + h), minus = (float)(original - h);
                x.Data[e] = plus;
                double lPlus = Evaluate();
                x.Data[e] = minus;
                double lMinus = Evaluate();
                x.Data[e] = original;
                double numeric = (lPlus - lMinus) / ((double)plus - minus); // the step actually taken in float32
                double a = g[e];
                checkedCount++;
                if (!Close(a, numeric, atol))
                    return new GradientCheckResult(false, Describe(label, i, x, e, a, numeric, atol, g), checkedCount);
            }
        }

        // Random direction over all inputs at once: ⟨∇L, d⟩ vs (L(x + hd) − L(x − hd)) / 2h with h = RelativeStep and
        // d = v·max(1, |x|) / max|v|, v ~ N(0, 1): no element moves further than in the per-element check.
        var directions = new float[inputs.Length][];
        var originals = new float[inputs.Length][];
        double directional = 0, magnitude = 0, step = RelativeStep, maxV = 1e-12;
        for (int i = 0; i < inputs.Length; i++)
        {
            originals[i] = inputs[i].ToArray();
            directions[i] = new float[inputs[i].Count];
            for (int e = 0; e < directions[i].Length; e++)
            {
                directions[i][e] = (float)rng.NextNormal();
                maxV = Math.Max(maxV, Math.Abs(directions[i][e]));
            }
        }
        for (int i = 0; i < inputs.Length; i++)
        {
            for (int e = 0; e < directions[i].Length; e++)
            {
                directions[i][e] = (float)(directions[i][e] / maxV * Math.Max(1, Math.Abs(originals[i][e])));
                directional += (double)analytic[i][e] * directions[i][e];
                magnitude += Math.Abs((double)analytic[i][e] * directions[i][e]);
            }
        }
        double Shifted(double t)
        {
            for (int i = 0; i < inputs.Length; i++)
                for (int e = 0; e < directions[i].Length; e++)
                    inputs[i].Data[e] = (float)(originals[i][e] + t * directions[i][e]);
            return Evaluate();
        }
        double numericDirectional = (Shifted(step) - Shifted(-step)) / (2 * step);
        for (int i = 0; i < inputs.Length; i++) originals[i].CopyTo(inputs[i].Data);
        if (!Close(directional, numericDirectional, AtolFactor * Math.Max(1, magnitude)))
        {
            return new GradientCheckResult(false,
                $"Gradient check failed{label} in the random-direction check over all inputs: ⟨analytic " +
                $"grad, v⟩ = {directional:G6}, " +
                $"(L(x+hv) − L(x−hv))/2h = {numericDirectional:G6} (h = {step:G3}). Per-element checks passed " +
                "on the sampled elements, " +
                "so look at elements that were not sampled (large inputs) or at cross-input " +
                "interactions (an input used twice).",
                checkedCount);
        }
        return new GradientCheckResult(true, $"ok{label}: {checkedCount} elements", checkedCount);
    }

    private static bool Close(double analytic, double numeric, double atol) =>
        !double.IsNaN(analytic) && !double.IsNaN(numeric) &&
        Math.Abs(analytic - numeric) <= atol + Rtol * Math.Max(Math.Abs(analytic), Math.Abs(numeric));

    private static IEnumerable<int> ElementsToCheck(int count, int max, RandomGenerator rng)
    {
        if (count <= max) return Enumerable.Range(0, count);
        var all = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(all.AsSpan());
        return all.Take(max).Order();
    }

    private static string Describe(string label, int input, Tensor x, int element, double analytic, double numeric,
        double atol, float[] grad)
    {
        var index = new int[x.Rank];
        for (int d = x.Rank - 1, rest = element; d >= 0; d--)
        {
            index[d] = rest % x.Shape[d];
            rest /= x.Shape[d];
        }
        var sb = new StringBuilder();
        sb.Append($"Gradient check failed{label}: input #{input} of shape " +
            $"{ShapeMath.Format(x.Shape)}, element {element} ")
          .Append($"(index {ShapeMath.Format(index)}, value {x.Data[element]:G6}): analytic = {analytic:G6}, " +
              $"numeric = {numeric:G6}, ")
          .Append($"|diff| = {Math.Abs(analytic - numeric):G3} > allowed " +
              $"{atol + Rtol * Math.Max(Math.Abs(analytic), Math.Abs(numeric)):G3}. ");
        if (Math.Abs(numeric) > 1e-6 && Math.Abs(analytic) > 1e-6)
            sb.Append($"Ratio analytic/numeric = {analytic / numeric:G4}");
        sb.Append(analytic == 0
            ? " Analytic is 0: the op's Backward does not write this input's GradSink (or the graph was cut)."
            : " Look at the op's Backward formula (a missing factor such as 2 or 1/n shows as a constant ratio; a " +
                "wrong sign as ratio −1), " +
                "at unbroadcasting (SumInto) if this input was broadcast, and at whether Backward accumulates " +
                "(+=) rather than overwrites.");
        sb.Append(" Analytic gradient of this input: " +
            $"[{string.Join(", ", grad.Take(12).Select(v => v.ToString("G4")))}{(grad.Length > 12 ? ", …" : "")}]");
        return sb.ToString();
    }
}
