using Google.Protobuf;

namespace RocketNet.Serving.Onnx;

/// <summary>
/// The part of the ONNX schema (onnx.proto, IR version 8) an exported RocketNet model uses, as plain records,
/// each writing itself with Google.Protobuf's <see cref="CodedOutputStream"/>. The field numbers are the schema's:
/// a record lists them beside its fields, so the layout can be checked against onnx.proto line by line.
/// </summary>
internal static class OnnxMessages
{
    /// <summary>TensorProto.DataType values used here.</summary>
    public const int Float = 1, Int64 = 7;

    /// <summary>Writes <paramref name="message"/> as a length-delimited field <paramref name="field"/>.</summary>
    public static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> message)
    {
        using var buffer = new MemoryStream();
        using (var inner = new CodedOutputStream(buffer, leaveOpen: true)) message(inner);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    public static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    public static void WriteInt64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }
}

/// <summary>
/// ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7, opset_import = 8.
/// </summary>
internal sealed record OnnxModel(long IrVersion, string ProducerName, string ProducerVersion, string DocString,
    OnnxGraph Graph, long OpsetVersion)
{
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            OnnxMessages.WriteInt64(output, 1, IrVersion);
            OnnxMessages.WriteString(output, 2, ProducerName);
            OnnxMessages.WriteString(output, 3, ProducerVersion);
            OnnxMessages.WriteString(output, 6, DocString);
            OnnxMessages.WriteMessage(output, 7, Graph.Write);
            // OperatorSetIdProto: domain = 1 (empty: the default ONNX domain), version = 2.
            OnnxMessages.WriteMessage(output, 8, o => OnnxMessages.WriteInt64(o, 2, OpsetVersion));
        }
        return buffer.ToArray();
    }
}

/// <summary>GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.</summary>
internal sealed record OnnxGraph(string Name, IReadOnlyList<OnnxNode> Nodes, IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs, IReadOnlyList<OnnxValueInfo> Outputs)
{
    public void Write(CodedOutputStream output)
    {
        foreach (var node in Nodes) OnnxMessages.WriteMessage(output, 1, node.Write);
        OnnxMessages.WriteString(output, 2, Name);
        foreach (var tensor in Initializers) OnnxMessages.WriteMessage(output, 5, tensor.Write);
        foreach (var input in Inputs) OnnxMessages.WriteMessage(output, 11, input.Write);
        foreach (var value in Outputs) OnnxMessages.WriteMessage(output, 12, value.Write);
    }
}

/// <summary>NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.</summary>
internal sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttribute> Attributes)
{
    public void Write(CodedOutputStream output)
    {
        foreach (string input in Inputs) OnnxMessages.WriteString(output, 1, input);
        foreach (string value in Outputs) OnnxMessages.WriteString(output, 2, value);
        OnnxMessages.WriteString(output, 3, Name);
        OnnxMessages.WriteString(output, 4, OpType);
        foreach (var attribute in Attributes) OnnxMessages.WriteMessage(output, 5, attribute.Write);
    }
}

/// <summary>
/// AttributeProto: name = 1, f = 2, i = 3, ints = 8, type = 20 (FLOAT = 1, INT = 2, INTS = 7). One of
/// <see cref="Float"/>, <see cref="Int"/> or <see cref="Ints"/> is set.
/// </summary>
internal sealed record OnnxAttribute(string Name, float? Float = null, long? Int = null, long[]? Ints = null)
{
    public void Write(CodedOutputStream output)
    {
        OnnxMessages.WriteString(output, 1, Name);
        if (Float is float f)
        {
            output.WriteTag(2, WireFormat.WireType.Fixed32);
            output.WriteFloat(f);
            OnnxMessages.WriteInt64(output, 20, 1);
        }
        else if (Int is long i)
        {
            OnnxMessages.WriteInt64(output, 3, i);
            OnnxMessages.WriteInt64(output, 20, 2);
        }
        else
        {
            foreach (long v in Ints ?? []) OnnxMessages.WriteInt64(output, 8, v);
            OnnxMessages.WriteInt64(output, 20, 7);
        }
    }
}

/// <summary>TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian values).</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, int DataType, byte[] RawData)
{
    public static OnnxTensor Floats(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return new OnnxTensor(name, dims, OnnxMessages.Float, bytes);
    }

    public static OnnxTensor Int64s(string name, long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        return new OnnxTensor(name, [values.Length], OnnxMessages.Int64, bytes);
    }

    public void Write(CodedOutputStream output)
    {
        foreach (long d in Dims) OnnxMessages.WriteInt64(output, 1, d);
        OnnxMessages.WriteInt64(output, 2, DataType);
        OnnxMessages.WriteString(output, 8, Name);
        output.WriteTag(9, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(RawData));
    }
}

/// <summary>
/// ValueInfoProto: name = 1, type = 2 → TypeProto: tensor_type = 1 → Tensor: elem_type = 1, shape = 2 →
/// TensorShapeProto: dim = 1 → Dimension: dim_value = 1, dim_param = 2. A null dimension is the symbolic batch.
/// </summary>
internal sealed record OnnxValueInfo(string Name, long?[] Shape)
{
    public void Write(CodedOutputStream output)
    {
        OnnxMessages.WriteString(output, 1, Name);
        OnnxMessages.WriteMessage(output, 2, type => OnnxMessages.WriteMessage(type, 1, tensor =>
        {
            OnnxMessages.WriteInt64(tensor, 1, OnnxMessages.Float);
            OnnxMessages.WriteMessage(tensor, 2, shape =>
            {
                foreach (long? d in Shape)
                    OnnxMessages.WriteMessage(shape, 1, dim =>
                    {
                        if (d is long value) OnnxMessages.WriteInt64(dim, 1, value);
                        else OnnxMessages.WriteString(dim, 2, "batch");
                    });
            });
        }));
    }
}
