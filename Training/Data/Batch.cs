namespace RocketNet.Training.Data;

/// <summary>
/// One mini-batch from a <see cref="BatchLoader"/>. Its tensor and arrays are reused by later batches of
/// the same size, so read or copy what you need before advancing the loader.
/// </summary>
public sealed class Batch
{
    internal Batch(int size, int[] sampleShape, bool hasGroups)
    {
        // Created by the loader outside any TensorScope: GC-owned storage that outlives training steps.
        Input = Tensor.Zeros([size, .. sampleShape]);
        Labels = new int[size];
        Groups = hasGroups ? new int[size] : null;
        SampleIndices = new int[size];
    }

    /// <summary>The samples, shape [B, ...sampleShape] (augmented and normalised if the loader does so).</summary>
    public Tensor Input { get; }

    /// <summary>Class label of each sample (length B).</summary>
    public int[] Labels { get; }

    /// <summary>Group id of each sample (length B) when the dataset has groups, else null.</summary>
    public int[]? Groups { get; }

    /// <summary>Index in the dataset of each sample (length B).</summary>
    public int[] SampleIndices { get; }

    /// <summary>Number of samples B.</summary>
    public int Count => Labels.Length;
}
