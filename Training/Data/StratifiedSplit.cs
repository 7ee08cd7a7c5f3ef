namespace RocketNet.Training.Data;

/// <summary>A seeded train/test split that keeps every class's share in both parts.</summary>
internal static class StratifiedSplit
{
    /// <summary>
    /// Per class (classes in key order), a seeded Fisher–Yates shuffle of its items, then the first
    /// round(<paramref name="fraction"/> · count) to the test part — at least one when the class has two or more
    /// items, never all of them — and the rest to the training part, each part in class order.
    /// </summary>
    public static (List<T> Train, List<T> Test) Split<T, TKey>(IEnumerable<T> items, Func<T, TKey> classOf,
        double fraction, ulong seed,
        IEqualityComparer<TKey>? equality = null, IComparer<TKey>? order = null)
    {
        var random = new RandomGenerator(seed);
        var train = new List<T>();
        var test = new List<T>();
        foreach (var group in items.GroupBy(classOf, equality).OrderBy(g => g.Key, order))
        {
            var members = group.ToArray();
            for (int i = members.Length - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
            int held = members.Length < 2 ? 0 : Math.Clamp((int)Math.Round(fraction * members.Length), 1,
                members.Length - 1);
            test.AddRange(members[..held]);
            train.AddRange(members[held..]);
        }
        return (train, test);
    }
}
