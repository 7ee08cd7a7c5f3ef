using System.Buffers;
using RocketNet.Shapes;

namespace RocketNet.Layers;

/// <summary>
/// Embeds F categorical fields for CTR models: input [N, F] of per-field category ids (whole numbers stored
/// in floats) → [N, F·D], the field embeddings concatenated in field order.
/// <para>
/// Two modes. <see cref="PerField"/>: one table per field with the given sizes; the tables are stacked
/// into one weight [Σ sizes, D] (field f owns rows [<see cref="FieldOffset"/>(f), +size_f)) so a batch is a
/// single lookup. <see cref="Hashed"/>: one table of B buckets shared by all fields; (field, id) goes to
/// bucket <see cref="CategoryIds.HashBucket"/>(f, id, B), so ids need not be bounded.
/// </para>
/// </summary>
public sealed class MultiFieldEmbedding : Module
{
    private readonly int[] _fieldSizes;  // per-field mode: ids of field f in [0, size_f)
    private readonly int[] _fieldOffsets;

    /// <summary>The table: [Σ field sizes, D] (per-field) or [buckets, D] (hashed).</summary>
    public Tensor Weight { get; }

    /// <summary>Number of fields F.</summary>
    public int FieldCount { get; }

    /// <summary>Embedding width D per field.</summary>
    public int Dimension { get; }

    /// <summary>Output width F·D.</summary>
    public int OutputWidth => FieldCount * Dimension;

    /// <summary>True for the hashed (shared-bucket) mode.</summary>
    public bool IsHashed { get; }

    /// <summary>Bucket count B in hashed mode, 0 otherwise.</summary>
    public int BucketCount { get; }

    /// <summary>Per-field table sizes (per-field mode); empty in hashed mode.</summary>
    public IReadOnlyList<int> FieldSizes => _fieldSizes;

    private MultiFieldEmbedding(int fieldCount, int[] fieldSizes, int buckets, int dimension,
        RandomGenerator random, float std)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        (FieldCount, Dimension, _fieldSizes, BucketCount, IsHashed) = (fieldCount, dimension, fieldSizes,
            buckets, buckets > 0);
        _fieldOffsets = new int[fieldSizes.Length];
        long rows = buckets;
        for (int f = 0; f < fieldSizes.Length; f++)
        {
            _fieldOffsets[f] = (int)rows;
            rows += fieldSizes[f];
        }
        if (rows > int.MaxValue / dimension)
            throw new ArgumentException($"MultiFieldEmbedding: {rows} rows × {dimension} values exceed one tensor.");
        Weight = RegisterParameter("weight", Init.Normal([(int)rows, dimension], random, std));
    }

    /// <summary>One table per field, of sizes <paramref name="fieldSizes"/>, each row N(0, std²).</summary>
    /// <exception cref="ArgumentException">No fields, or a size is not positive.</exception>
    public static MultiFieldEmbedding PerField(int[] fieldSizes, int dimension, RandomGenerator random, float std = 1f)
    {
        ArgumentNullException.ThrowIfNull(fieldSizes);
        if (fieldSizes.Length == 0 || fieldSizes.Any(s => s <= 0))
            throw new ArgumentException(
                "MultiFieldEmbedding: field sizes must be one or more positive numbers, got " +
                $"[{string.Join(", ", fieldSizes)}].", nameof(fieldSizes));
        return new MultiFieldEmbedding(fieldSizes.Length, (int[])fieldSizes.Clone(), 0, dimension, random, std);
    }

    /// <summary>
    /// One hashed table of <paramref name="buckets"/> rows shared by <paramref name="fieldCount"/> fields.
    /// </summary>
    public static MultiFieldEmbedding Hashed(int fieldCount, int buckets, int dimension,
        RandomGenerator random, float std = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        return new MultiFieldEmbedding(fieldCount, [], buckets, dimension, random, std);
    }

    /// <summary>First row of field <paramref name="field"/>'s table (per-field mode).</summary>
    public int FieldOffset(int field) =>
        IsHashed ? throw new InvalidOperationException(
            "MultiFieldEmbedding: hashed mode has no per-field tables.") : _fieldOffsets[field];

    /// <summary>The weight row that (<paramref name="field"/>, <paramref name="id"/>) reads.</summary>
    /// <exception cref="ArgumentException">The id is invalid for the field.</exception>
    public int RowOf(int field, float id)
    {
        if ((uint)field >= (uint)FieldCount)
            throw new ArgumentOutOfRangeException(nameof(field), field,
                $"MultiFieldEmbedding has fields 0..{FieldCount - 1}.");
        if (IsHashed)
            return CategoryIds.HashBucket(field,
                CategoryIds.ToId(id, CategoryIds.MaxHashedId, $"MultiFieldEmbedding field {field}"), BucketCount);
        return _fieldOffsets[field] + (int)CategoryIds.ToId(id, _fieldSizes[field],
            $"MultiFieldEmbedding field {field}");
    }

    /// <summary>
    /// The table row of sample <paramref name="sample"/>'s id in <paramref name="field"/> (hashed or offset into the
    /// field's table); the error message, naming sample and field, is only built for an invalid id.
    /// </summary>
    /// <exception cref="ArgumentException">The id is not a whole number in the field's range.</exception>
    internal int LookupRow(int sample, int field, float id)
    {
        double limit = IsHashed ? CategoryIds.MaxHashedId : _fieldSizes[field];
        if (!CategoryIds.IsValidId(id, limit))
            CategoryIds.ToId(id, limit, $"MultiFieldEmbedding row {sample}, field {field}");
        return IsHashed ? CategoryIds.HashBucket(field, (long)id, BucketCount) : _fieldOffsets[field] + (int)id;
    }

    /// <inheritdoc/>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) =>
        builder.AddEmbedding(this);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, F], or an id is not a whole number in range for its
    /// field.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 2 || input.Shape[1] != FieldCount)
            throw new ArgumentException(
                $"MultiFieldEmbedding: input must be [N, {FieldCount}] (one id per field), got " +
                $"{ShapeMath.Format(input.Shape)}.", nameof(input));
        int n = input.Shape[0];
        ReadOnlySpan<float> ids = input.Data;
        // Scratch only: the engine's op copies what backward needs.
        var rows = ArrayPool<int>.Shared.Rent(ids.Length);
        try
        {
            for (int r = 0, i = 0; r < n; r++)
                for (int f = 0; f < FieldCount; f++, i++) rows[i] = LookupRow(r, f, ids[i]);
            // [N, F] lookups → [N, F, D] → [N, F·D] (a view).
            return Functional.Embedding(Weight, rows.AsSpan(0, ids.Length), [n, FieldCount])
                .Reshape(n, FieldCount * Dimension);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rows);
        }
    }
}
