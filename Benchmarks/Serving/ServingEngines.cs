using Microsoft.ML.OnnxRuntime;
using RocketNet.Serving;
using RocketNet.Serving.Onnx;

namespace RocketNet.Benchmarks.Serving;

/// <summary>
/// The two engines of the comparison on one <see cref="ServingNet"/>, in one process: RocketNet's
/// <see cref="Predictor"/> and an ONNX Runtime session on the net exported by <see cref="OnnxExporter"/> (all graph
/// optimisations, sequential execution, pre-allocated input and output OrtValues, so neither side allocates per
/// call). The constructor checks that both give the same outputs before anything is timed.
/// </summary>
public sealed class ServingEngines : IDisposable
{
    /// <summary>Largest |RocketNet − ONNX Runtime| allowed, relative to max(1, |logit|).</summary>
    public const float Tolerance = 1e-4f;

    private readonly Predictor _predictor;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _ortInput, _ortOutput;
    private readonly string[] _inputNames = [OnnxExporter.InputName], _outputNames = [OnnxExporter.OutputName];
    private readonly OrtValue[] _inputs, _outputs;
    private readonly float[] _rocketLogits, _ortLogits;

    /// <summary>Builds both engines for <paramref name="net"/>, ONNX Runtime with <paramref name="threads"/>
    /// intra-op threads (RocketNet follows <see cref="Parallelism.ThreadCount"/>), and checks them.</summary>
    /// <exception cref="InvalidOperationException">The engines' outputs differ by more than the tolerance.</exception>
    public ServingEngines(ServingNet net, int threads)
    {
        Net = net;
        _predictor = new Predictor(net.Module, net.Shape, maxBatchSize: net.Batch);
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(OnnxExporter.Export(net.Module, net.Shape), options);
        _rocketLogits = new float[net.Batch * _predictor.OutputSize];
        _ortLogits = new float[_rocketLogits.Length];
        _ortInput = OrtValue.CreateTensorValueFromMemory(net.Input, [net.Batch, .. net.Shape.Select(d => (long)d)]);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortLogits, [net.Batch, _predictor.OutputSize]);
        (_inputs, _outputs) = ([_ortInput], [_ortOutput]);
        RunRocketNet();
        RunOnnxRuntime();
        for (int i = 0; i < _ortLogits.Length; i++)
            if (!(Math.Abs(_ortLogits[i] - _rocketLogits[i]) <= Tolerance * Math.Max(1, Math.Abs(_rocketLogits[i]))))
                throw new InvalidOperationException(
                    $"{net.Name}: logit {i} is {_rocketLogits[i]:R} in RocketNet, {_ortLogits[i]:R} in ONNX Runtime.");
    }

    /// <summary>The workload.</summary>
    public ServingNet Net { get; }

    /// <summary>Which plan RocketNet serves through: "dense", "conv" or "graph".</summary>
    public string RocketNetPath =>
        _predictor.UsesDensePlan ? "dense" : _predictor.UsesConvolutionPlan ? "conv" : "graph";

    /// <summary>One call of RocketNet on the batch.</summary>
    public void RunRocketNet()
    {
        if (Net.Batch == 1) _predictor.Predict(Net.Input, _rocketLogits);
        else _predictor.PredictBatch(Net.Input, _rocketLogits);
    }

    /// <summary>One call of ONNX Runtime on the batch.</summary>
    public void RunOnnxRuntime() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    /// <inheritdoc />
    public void Dispose()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
