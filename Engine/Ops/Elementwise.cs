using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Memory;

namespace RocketNet.Ops;

/// <summary>The one-input elementwise operations.</summary>
internal enum ElementwiseKind
{
    Negate, Exp, Log, Sqrt, Relu, Sigmoid, Tanh, Silu, Pow, AddScalar, MultiplyScalar,
}

/// <summary>
/// y = f(x) elementwise. <see cref="Forward"/> and <see cref="Backward"/> list the same cases in the same
/// order, so each function's value and derivative sit next to each other:
/// <code>
///   f          y = f(x)          dx += dy · f'(x)
///   negate     −x                −1
///   exp        eˣ                y
///   log        ln x              1 / x
///   sqrt       √x                1 / (2y)
///   relu       max(x, 0)         1 if x &gt; 0 else 0
///   sigmoid    1 / (1 + e⁻ˣ)     y (1 − y)
///   tanh       tanh x            1 − y²
///   silu       x σ(x)            σ(x) (1 + x (1 − σ(x)))     (SiluKernels; reference SiluReference)
///   pow p      xᵖ                p xᵖ⁻¹
///   x + s      x + s             1
///   x · s      s x               s
/// </code>
/// </summary>
internal sealed class ElementwiseFunction : Function
{
    private readonly ElementwiseKind _kind;
    private readonly float _scalar;
    private readonly Tensor _x;

    private ElementwiseFunction(ElementwiseKind kind, Tensor x, float scalar) : base(x)
    {
        _kind = kind;
        _x = x;
        _scalar = scalar;
    }

    public override string Name => _kind.ToString();

    public static Tensor Forward(ElementwiseKind kind, Tensor x, float scalar = 0)
    {
        var y = Tensor.Create(x.Shape.ToArray(), clear: false);
        ReadOnlySpan<float> xs = x.Data;
        Span<float> ys = y.Data;
        switch (kind)
        {
            case ElementwiseKind.Negate: TensorPrimitives.Negate(xs, ys); break;
            case ElementwiseKind.Exp: TensorPrimitives.Exp(xs, ys); break;
            case ElementwiseKind.Log: TensorPrimitives.Log(xs, ys); break;
            case ElementwiseKind.Sqrt: TensorPrimitives.Sqrt(xs, ys); break;
            case ElementwiseKind.Relu: ElementwiseKernels.Relu(xs, ys); break;
            case ElementwiseKind.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); break;
            case ElementwiseKind.Tanh: TensorPrimitives.Tanh(xs, ys); break;
            case ElementwiseKind.Silu: SiluKernels.Forward(xs, ys); break;
            case ElementwiseKind.Pow: TensorPrimitives.Pow(xs, scalar, ys); break;
            case ElementwiseKind.AddScalar: TensorPrimitives.Add(xs, scalar, ys); break;
            case ElementwiseKind.MultiplyScalar: TensorPrimitives.Multiply(xs, scalar, ys); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
        if (ShouldRecord(x)) y.SetGradFn(new ElementwiseFunction(kind, x, scalar));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        if (_kind == ElementwiseKind.Relu)
        {
            // The MLP's case: written, not added, when nothing else has reached x's gradient yet.
            Span<float> sink = GradSinkForOverwrite(_x, out bool overwrite);
            if (sink.IsEmpty) return;
            if (overwrite) ElementwiseKernels.ReluBackwardOverwrite(_x.Data, dy, sink);
            else ElementwiseKernels.ReluBackward(_x.Data, dy, sink);
            return;
        }
        Span<float> dx = GradSink(_x);
        if (dx.IsEmpty) return;
        ReadOnlySpan<float> xs = _x.Data, ys = y.Data;
        float[] t = BufferPool.Rent(dy.Length, clear: false);
        Span<float> tmp = t.AsSpan(0, dy.Length);
        switch (_kind)
        {
            case ElementwiseKind.Negate: TensorPrimitives.Subtract(dx, dy, dx); break;
            case ElementwiseKind.Exp: TensorPrimitives.MultiplyAdd(dy, ys, dx, dx); break;
            case ElementwiseKind.Log:
                TensorPrimitives.Divide(dy, xs, tmp);
                TensorPrimitives.Add(dx, tmp, dx);
                break;
            case ElementwiseKind.Sqrt:
                TensorPrimitives.Divide(dy, ys, tmp);
                TensorPrimitives.MultiplyAdd(tmp, 0.5f, dx, dx);
                break;
            case ElementwiseKind.Sigmoid:
                TensorPrimitives.Multiply(ys, ys, tmp);
                TensorPrimitives.Subtract(ys, tmp, tmp);      // y − y²
                TensorPrimitives.MultiplyAdd(dy, tmp, dx, dx);
                break;
            case ElementwiseKind.Tanh:
                TensorPrimitives.Multiply(ys, ys, tmp);
                TensorPrimitives.Subtract(1f, tmp, tmp);      // 1 − y²
                TensorPrimitives.MultiplyAdd(dy, tmp, dx, dx);
                break;
            case ElementwiseKind.Silu: SiluKernels.Backward(xs, dy, dx); break;
            case ElementwiseKind.Pow:
                TensorPrimitives.Pow(xs, _scalar - 1, tmp);
                TensorPrimitives.Multiply(tmp, _scalar, tmp);
                TensorPrimitives.MultiplyAdd(dy, tmp, dx, dx);
                break;
            case ElementwiseKind.AddScalar: TensorPrimitives.Add(dx, dy, dx); break;
            case ElementwiseKind.MultiplyScalar: TensorPrimitives.MultiplyAdd(dy, _scalar, dx, dx); break;
        }
        BufferPool.Return(t);
    }
}
