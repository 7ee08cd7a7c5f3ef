using RocketNet.Layers;

namespace RocketNet.Serving.Onnx;

/// <summary>
/// Writes a RocketNet net as an ONNX model (opset 17, IR version 8) for other runtimes, in eval mode (batch norm
/// with its running statistics, dropout as identity): one float input <c>input</c> [batch, ...sample shape] and one
/// output <c>logits</c> [batch, classes], the batch dimension symbolic. Weights are initializers with RocketNet's
/// parameter names. Supported: Linear (Gemm), Conv2d (Conv), BatchNorm (BatchNormalization), ReLU/Sigmoid/Tanh, SiLU
/// (Sigmoid, Mul),
/// Dropout, Sequential and trunk-head nets, Wide ResNets (Conv, BatchNormalization, Relu, Add,
/// GlobalAveragePool, Flatten, Gemm), per-field embeddings (Cast, Add of the field offsets, Gather, Reshape) and
/// table features (Slice, Concat). A table model's text preprocessing (vocabularies, missing cells) does not map
/// cleanly to standard ONNX operators and is not exported: the ONNX model takes the encoded rows
/// (<see cref="Tables.TablePreprocessor.Encode(IReadOnlyDictionary{string, string})"/>).
/// </summary>
public static class OnnxExporter
{
    /// <summary>The operator set version the models target.</summary>
    public const int Opset = 17;

    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph's output.</summary>
    public const string OutputName = "logits";

    /// <summary>
    /// The ONNX model of <paramref name="model"/> for samples of shape <paramref name="sampleShape"/>, as protobuf
    /// bytes.
    /// </summary>
    /// <exception cref="NotSupportedException">A part of the net has no ONNX form here (the message names its type), or
    /// a
    /// multi-field embedding is hashed (its bucket hash is not an ONNX operator).</exception>
    public static byte[] Export(Module model, int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        var builder = new GraphBuilder(model);
        string output = builder.Emit(model, InputName);
        builder.Rename(output, OutputName);
        int classes;
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
        {
            bool training = model.IsTraining;
            model.Eval();
            classes = model.Forward(Tensor.Zeros([1, .. sampleShape])).Size(1);
            if (training) model.Train();
        }
        var graph = new OnnxGraph("rocketnet", builder.Nodes, builder.Initializers,
            [new OnnxValueInfo(InputName, [null, .. sampleShape.Select(d => (long?)d)])],
                [new OnnxValueInfo(OutputName, [null, classes])]);
        return new OnnxModel(8, "RocketNet", typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            $"Exported by RocketNet from a {model.GetType().Name}.", graph, Opset).ToBytes();
    }

    /// <summary>Writes <see cref="Export"/>'s bytes to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Module model, int[] sampleShape)
    {
        var bytes = Export(model, sampleShape);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Collects nodes and initializers while walking the net; names weights by their parameter names.
    /// </summary>
    private sealed class GraphBuilder
    {
        private readonly Dictionary<Tensor, string> _names = new(ReferenceEqualityComparer.Instance);
        private int _next;

        public GraphBuilder(Module model)
        {
            foreach (var (name, tensor) in model.StateDict()) _names[tensor] = name;
        }

        public List<OnnxNode> Nodes { get; } = [];

        public List<OnnxTensor> Initializers { get; } = [];

        private readonly HashSet<Tensor> _added = new(ReferenceEqualityComparer.Instance);

        /// <summary>The last node's output gets the graph output's name.</summary>
        public void Rename(string from, string to)
        {
            var last = Nodes[^1];
            if (last.Outputs[0] != from)
                throw new InvalidOperationException("The graph's last node does not produce its output.");
            Nodes[^1] = last with { Outputs = [to] };
        }

        private string Weight(Tensor t)
        {
            string name = _names.TryGetValue(t, out var n) ? n : $"const{_next++}";
            if (_added.Add(t))
                Initializers.Add(OnnxTensor.Floats(name, [.. t.Shape.ToArray().Select(d => (long)d)], t.Data));
            return name;
        }

        private string Constant(long[] values)
        {
            string name = $"const{_next++}";
            Initializers.Add(OnnxTensor.Int64s(name, values));
            return name;
        }

        private string Node(string op, string[] inputs, params OnnxAttribute[] attributes)
        {
            string output = $"{op.ToLowerInvariant()}{_next++}";
            Nodes.Add(new OnnxNode(op, output, inputs, [output], attributes));
            return output;
        }

        public string Emit(Module module, string x) => module switch
        {
            TrunkHeadNet net => Emit(net.Head, Emit(net.Trunk, x)),
            Sequential sequential =>
                Enumerable.Range(0, sequential.Count).Aggregate(x, (h, i) => Emit(sequential[i], h)),
            Linear linear =>
                Node("Gemm", linear.Bias is null ? [x, Weight(linear.Weight)] : [x, Weight(linear.Weight),
                Weight(linear.Bias)],
                new OnnxAttribute("transB", Int: 1)),
            ReLU => Node("Relu", [x]),
            Sigmoid => Node("Sigmoid", [x]),
            Tanh => Node("Tanh", [x]),
            SiLU => Node("Mul", [x, Node("Sigmoid", [x])]),
            Dropout => x,
            BatchNorm bn =>
                Node("BatchNormalization", [x, Weight(bn.Weight), Weight(bn.Bias), Weight(bn.RunningMean),
                Weight(bn.RunningVar)],
                new OnnxAttribute("epsilon", Float: bn.Eps)),
            Conv2d conv => Convolution(conv, x),
            WideResNet wrn => WideResNet(wrn, x),
            MultiFieldEmbedding embedding => Embedding(embedding, x),
            TableFeatures table => TableFeatures(table, x),
            _ => throw new NotSupportedException(
                $"{module.GetType().Name} has no ONNX export (supported: Linear, Conv2d, BatchNorm, activations, " +
                "Dropout, Sequential, trunk-head nets, Wide ResNets, per-field " +
                "embeddings, table features)."),
        };

        private string Convolution(Conv2d conv, string x) =>
            Node("Conv", conv.Bias is null ? [x, Weight(conv.Weight)] : [x, Weight(conv.Weight), Weight(conv.Bias)],
                new OnnxAttribute("kernel_shape", Ints: [conv.KernelSize, conv.KernelSize]),
                new OnnxAttribute("strides", Ints: [conv.Stride, conv.Stride]),
                new OnnxAttribute("pads", Ints: [conv.Padding, conv.Padding, conv.Padding, conv.Padding]));

        // Pre-activation blocks, as WideBlock.Forward: o1 = relu(bn0(x)); out = conv1(relu(bn1(conv0(o1)))) + (proj(o1)
        // or x).
        private string WideResNet(WideResNet wrn, string x)
        {
            string h = Convolution(wrn.Stem, x);
            foreach (var group in wrn.Groups)
            {
                foreach (var block in group.Blocks)
                {
                    string o1 = Node("Relu", [Emit(block.Bn0, h)]);
                    string o2 = Node("Relu", [Emit(block.Bn1, Convolution(block.Conv0, o1))]);
                    string residual = block.Projection is null ? h : Convolution(block.Projection, o1);
                    h = Node("Add", [Convolution(block.Conv1, o2), residual]);
                }
            }
            string pooled = Node("GlobalAveragePool", [Node("Relu", [Emit(wrn.HeadBatchNorm, h)])]);
            return Emit(wrn.Classifier, Node("Flatten", [pooled], new OnnxAttribute("axis", Int: 1)));
        }

        // x: [N, F] ids stored as floats → rows of the stacked table (id + the field's offset) → [N, F, D] → [N, F·D].
        private string Embedding(MultiFieldEmbedding embedding, string x)
        {
            if (embedding.IsHashed)
                throw new NotSupportedException(
                    "A hashed MultiFieldEmbedding has no ONNX export: its bucket hash is not a standard " +
                    "operator. Use per-field tables.");
            var offsets =
                Enumerable.Range(0, embedding.FieldCount).Select(f => (long)embedding.FieldOffset(f)).ToArray();
            string ids = Node("Cast", [x], new OnnxAttribute("to", Int: OnnxMessages.Int64));
            string rows = Node("Add", [ids, Constant(offsets)]);
            string gathered = Node("Gather", [Weight(embedding.Weight), rows], new OnnxAttribute("axis", Int: 0));
            return Node("Reshape", [gathered, Constant([-1, embedding.OutputWidth])]);
        }

        // x: [N, F + M] → embeddings of the first F columns beside the last M values.
        private string TableFeatures(TableFeatures table, string x)
        {
            if (table.Embedding is null) return x;
            int f = table.CategoricalCount, m = table.NumericCount;
            string ids = m == 0 ? x : Node("Slice", [x, Constant([0]), Constant([f]), Constant([1])]);
            string embedded = Embedding(table.Embedding, ids);
            if (m == 0) return embedded;
            string numeric = Node("Slice", [x, Constant([f]), Constant([f + m]), Constant([1])]);
            return Node("Concat", [embedded, numeric], new OnnxAttribute("axis", Int: 1));
        }
    }
}
