using RocketNet.Training.Data;

namespace RocketNet.Cli.Commands;

/// <summary>
/// How <c>train --data criteo|avazu</c> streams its click log instead of reading it into memory: the options
/// <c>--shuffle-buffer --test-path --test-rows --hash-buckets --min-count</c>.
/// </summary>
/// <param name="ShuffleBuffer">Rows held for local shuffling (0: file order).</param>
/// <param name="TestPath">A file (or comma-separated files) holding the test part, or null.</param>
/// <param name="TestRows">Rows at the end of the stream kept as the test part (0: none).</param>
/// <param name="HashBuckets">Ids per categorical field.</param>
/// <param name="MinCount">Categorical ids seen fewer times in the training rows share one rare id (0: off).</param>
/// <param name="Data">The layout of the files: <c>criteo</c> or <c>avazu</c>.</param>
public sealed record ClickLogRequest(int ShuffleBuffer, string? TestPath, int TestRows, int HashBuckets,
    int MinCount = 0, string Data = "criteo")
{
    /// <summary>Default of <c>--hash-buckets</c>, as the in-memory reader uses.</summary>
    public const int DefaultHashBuckets = 10_000;

    /// <summary>How rows become ids.</summary>
    public IClickLogLayout Layout => LayoutOf(Data, HashBuckets);

    /// <summary>The layout named by <c>--data</c> (<c>criteo</c> or <c>avazu</c>) with its hash buckets.</summary>
    /// <exception cref="UsageException">Another name.</exception>
    public static IClickLogLayout LayoutOf(string data, int hashBuckets) => data switch
    {
        "criteo" => new CriteoOptions { HashBuckets = hashBuckets },
        "avazu" => new AvazuOptions { HashBuckets = hashBuckets },
        _ => throw new UsageException($"--shuffle-buffer streams a click log (--data criteo or avazu), not {data}"),
    };

    /// <summary>
    /// The streaming options, or null when <c>--shuffle-buffer</c> is absent (the file is read into memory, as
    /// before).
    /// </summary>
    /// <exception cref="UsageException">Streaming options given without <c>--shuffle-buffer</c>, or for another
    /// <c>--data</c> than criteo.</exception>
    public static ClickLogRequest? From(CliOptions o, string data)
    {
        ArgumentNullException.ThrowIfNull(o);
        int? buffer = o.StringOrNull("shuffle-buffer") is null ? null
            : o.Int("shuffle-buffer", 0, 0, 100_000_000);
        string? testPath = o.StringOrNull("test-path");
        int testRows = o.Int("test-rows", 0, 1);
        int buckets = o.Int("hash-buckets", DefaultHashBuckets, 2, ClickLogStream.MaxExactVocabulary);
        int minCount = o.Int("min-count", 0, 2);
        if (buffer is null)
        {
            if (testPath is not null || testRows > 0 || buckets != DefaultHashBuckets || minCount > 0)
                throw new UsageException(
                    "--test-path, --test-rows, --hash-buckets and --min-count apply to a streamed click log: add " +
                    "--shuffle-buffer N (rows held for shuffling, e.g. 100000)");
            return null;
        }
        if (data is not ("criteo" or "avazu"))
            throw new UsageException($"--shuffle-buffer streams a click log (--data criteo or avazu), not {data}");
        if (testPath is not null && testRows > 0)
            throw new UsageException("give the test part either as --test-path FILE or as --test-rows N, not both");
        if (minCount > 0 && buckets == ClickLogStream.MaxExactVocabulary)
            throw new UsageException(
                $"--min-count adds a rare id after the hashed ones: --hash-buckets may be at most " +
                $"{ClickLogStream.MaxExactVocabulary - 1} with it");
        return new ClickLogRequest(buffer.Value, testPath, testRows, buckets, minCount, data);
    }
}
