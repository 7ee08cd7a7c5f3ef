using RocketNet.Kernels;
using RocketNet.Ops;

namespace RocketNet;

public sealed partial class Tensor
{
    /// <summary>Elementwise a + b with NumPy broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => ArithmeticFunction.Forward(BinaryOperation.Add, a, b);
    /// <summary>Elementwise a − b with NumPy broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => ArithmeticFunction.Forward(BinaryOperation.Subtract, a, b);
    /// <summary>Elementwise a × b with NumPy broadcasting (not the matrix product: see <see cref="MatMul"/>).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => ArithmeticFunction.Forward(BinaryOperation.Multiply, a, b);
    /// <summary>Elementwise a ÷ b with NumPy broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => ArithmeticFunction.Forward(BinaryOperation.Divide, a, b);
    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => ElementwiseFunction.Forward(ElementwiseKind.Negate, a);
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => ElementwiseFunction.Forward(ElementwiseKind.AddScalar, a, s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => a + s;
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, float s) => a + (-s);
    /// <summary>s − a.</summary>
    public static Tensor operator -(float s, Tensor a) => (-a) + s;
    /// <summary>a × s.</summary>
    public static Tensor operator *(Tensor a, float s) =>
        ElementwiseFunction.Forward(ElementwiseKind.MultiplyScalar, a, s);
    /// <summary>s × a.</summary>
    public static Tensor operator *(float s, Tensor a) => a * s;
    /// <summary>a ÷ s.</summary>
    public static Tensor operator /(Tensor a, float s) => a * (1f / s);
    /// <summary>s ÷ a.</summary>
    public static Tensor operator /(float s, Tensor a) => a.Pow(-1f) * s;

    /// <summary>eˣ elementwise.</summary>
    public Tensor Exp() => ElementwiseFunction.Forward(ElementwiseKind.Exp, this);
    /// <summary>Natural logarithm elementwise.</summary>
    public Tensor Log() => ElementwiseFunction.Forward(ElementwiseKind.Log, this);
    /// <summary>Square root elementwise.</summary>
    public Tensor Sqrt() => ElementwiseFunction.Forward(ElementwiseKind.Sqrt, this);
    /// <summary>xᵖ elementwise for a scalar exponent.</summary>
    public Tensor Pow(float exponent) => ElementwiseFunction.Forward(ElementwiseKind.Pow, this, exponent);
    /// <summary>max(x, 0) elementwise.</summary>
    public Tensor Relu() => ElementwiseFunction.Forward(ElementwiseKind.Relu, this);
    /// <summary>1 / (1 + e⁻ˣ) elementwise.</summary>
    public Tensor Sigmoid() => ElementwiseFunction.Forward(ElementwiseKind.Sigmoid, this);
    /// <summary>Hyperbolic tangent elementwise.</summary>
    public Tensor Tanh() => ElementwiseFunction.Forward(ElementwiseKind.Tanh, this);
    /// <summary>SiLU (swish) x·σ(x) elementwise.</summary>
    public Tensor Silu() => ElementwiseFunction.Forward(ElementwiseKind.Silu, this);

    /// <summary>Sum of all elements (shape <c>[]</c>).</summary>
    public Tensor Sum() => ReductionFunction.Forward(ReductionKind.Sum, this, [], keepDim: false);
    /// <summary>Sum over the given axes (negative counts from the end); keepDim keeps them as size 1.</summary>
    public Tensor Sum(int[] axes, bool keepDim = false) =>
        ReductionFunction.Forward(ReductionKind.Sum, this, axes, keepDim);
    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);
    /// <summary>Mean of all elements (shape <c>[]</c>).</summary>
    public Tensor Mean() => ReductionFunction.Forward(ReductionKind.Mean, this, [], keepDim: false);
    /// <summary>Mean over the given axes.</summary>
    public Tensor Mean(int[] axes, bool keepDim = false) =>
        ReductionFunction.Forward(ReductionKind.Mean, this, axes, keepDim);
    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);
    /// <summary>Maximum of all elements (shape <c>[]</c>); the gradient goes to the first maximum.</summary>
    public Tensor Max() => ReductionFunction.Forward(ReductionKind.Max, this, [], keepDim: false);
    /// <summary>Maximum over the given axes.</summary>
    public Tensor Max(int[] axes, bool keepDim = false) =>
        ReductionFunction.Forward(ReductionKind.Max, this, axes, keepDim);
    /// <summary>Maximum over one axis.</summary>
    public Tensor Max(int axis, bool keepDim = false) => Max([axis], keepDim);

    /// <summary>Matrix product: [M,K]·[K,N], [B,M,K]·[B,K,N] or [B,M,K]·[K,N].</summary>
    public Tensor MatMul(Tensor other) => MatMulFunction.Forward(this, other);
    /// <summary>The same values with another shape (one dimension may be −1); shares storage.</summary>
    public Tensor Reshape(params int[] shape) => ReshapeFunction.Forward(this, shape);
    /// <summary>Reorders axes: result.Shape[i] = Shape[axes[i]].</summary>
    public Tensor Permute(params int[] axes) => PermuteFunction.Forward(this, axes);

    /// <summary>Swaps two axes (default: the last two, the matrix transpose).</summary>
    public Tensor Transpose(int axis0 = -2, int axis1 = -1)
    {
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        int a = Shapes.ShapeMath.NormalizeAxis(axis0, Rank, "Transpose"),
            b = Shapes.ShapeMath.NormalizeAxis(axis1, Rank, "Transpose");
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>
    /// <c>length</c> entries of <paramref name="axis"/> starting at <paramref name="start"/> (PyTorch's narrow).
    /// </summary>
    public Tensor Slice(int axis, int start, int length) => SliceFunction.Forward(this, axis, start, length);
    /// <summary>Joins tensors along an axis.</summary>
    public static Tensor Concat(Tensor[] tensors, int axis = 0) => ConcatFunction.Forward(tensors, axis);
    /// <summary>Numerically stable softmax along an axis (default: last).</summary>
    public Tensor Softmax(int axis = -1) => SoftmaxFunction.Forward(this, axis, log: false);
    /// <summary>Numerically stable log-softmax along an axis (default: last).</summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxFunction.Forward(this, axis, log: true);
}
