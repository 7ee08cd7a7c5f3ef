using RocketNet.Training.Data;

namespace RocketNet.Training.Rocket;

/// <summary>Copies dataset rows into a batch tensor (in the current <see cref="TensorScope"/>, if any).</summary>
internal static class BatchAssembly
{
    /// <summary>
    /// Samples <paramref name="indices"/> of <paramref name="data"/> as [B, ...sample shape] plus their labels.
    /// </summary>
    public static (Tensor Input, int[] Labels) Gather(Dataset data, ReadOnlySpan<int> indices)
    {
        var shape = new int[data.SampleShape.Length + 1];
        shape[0] = indices.Length;
        data.SampleShape.CopyTo(shape, 1);
        var input = Tensor.Zeros(shape);
        var values = input.Data;
        var labels = new int[indices.Length];
        int size = data.SampleSize;
        for (int i = 0; i < indices.Length; i++)
        {
            data.Sample(indices[i]).CopyTo(values.Slice(i * size, size));
            labels[i] = data.Labels[indices[i]];
        }
        return (input, labels);
    }

    /// <summary>The contiguous samples [start, start + count).</summary>
    public static (Tensor Input, int[] Labels) Range(Dataset data, int start, int count)
    {
        Span<int> indices = count <= 1024 ? stackalloc int[count] : new int[count];
        for (int i = 0; i < count; i++) indices[i] = start + i;
        return Gather(data, indices);
    }
}
