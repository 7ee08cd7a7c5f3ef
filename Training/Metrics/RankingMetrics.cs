namespace RocketNet.Training.Metrics;

/// <summary>
/// Area under the ROC curve for binary labels and its per-group average (GAUC, as in DIN: AUC per user,
/// weighted by the user's impressions). Scores are any monotone score of the positive class (logit or
/// probability). Ties count one half (the Mann–Whitney statistic with mid-ranks).
/// </summary>
public static class RankingMetrics
{
    /// <summary>
    /// AUC = P(score of a random positive &gt; score of a random negative) + ½·P(tie), in O(n log n).
    /// </summary>
    /// <exception cref="ArgumentException">Empty or mismatched inputs, a label other than 0/1, a NaN score, or only one
    /// class present.</exception>
    public static double Auc(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        RequirePairs(scores.Length, labels.Length);
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        CheckScoresAndLabels(keys, labels);
        Array.Sort(keys, order);
        return SortedAuc(keys, order, labels)
            ?? throw new ArgumentException("AUC needs both positive and negative labels; only one class is present.",
                nameof(labels));
    }

    /// <summary>
    /// Group AUC: Σ_g n_g·AUC_g / Σ_g n_g over groups that contain both classes (n_g = the group's sample
    /// count, i.e. impressions). Groups with a single class are skipped, as in DIN.
    /// </summary>
    /// <exception cref="ArgumentException">Mismatched or empty inputs, bad labels, or no group with both
    /// classes.</exception>
    public static double GroupAuc(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, ReadOnlySpan<int> groups)
    {
        RequirePairs(scores.Length, labels.Length);
        if (groups.Length != labels.Length)
            throw new ArgumentException($"{groups.Length} group ids for {labels.Length} samples; they must match.",
                nameof(groups));
        var keys = scores.ToArray();
        CheckScoresAndLabels(keys, labels);
        // Sort by (group, score) once; each group is then a contiguous run already sorted by score.
        var order = new int[keys.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var groupIds = groups.ToArray();
        Array.Sort(order, (a, b) =>
        {
            int byGroup = groupIds[a].CompareTo(groupIds[b]);
            return byGroup != 0 ? byGroup : keys[a].CompareTo(keys[b]);
        });
        double weighted = 0, weight = 0;
        int start = 0;
        while (start < order.Length)
        {
            int end = start;
            while (end < order.Length && groupIds[order[end]] == groupIds[order[start]]) end++;
            var runOrder = order[start..end];
            var runKeys = new float[runOrder.Length];
            for (int i = 0; i < runOrder.Length; i++) runKeys[i] = keys[runOrder[i]];
            if (SortedAuc(runKeys, runOrder, labels) is { } auc)
            {
                weighted += auc * runOrder.Length;
                weight += runOrder.Length;
            }
            start = end;
        }
        if (weight == 0)
            throw new ArgumentException(
                "GAUC needs at least one group with both positive and negative labels; none has.", nameof(groups));
        return weighted / weight;
    }

    /// <summary>
    /// Mann–Whitney AUC of samples already sorted ascending by score (<paramref name="sortedKeys"/>, with
    /// <paramref name="order"/> giving each one's index into <paramref name="labels"/>); null if one class is missing.
    /// </summary>
    private static double? SortedAuc(float[] sortedKeys, int[] order, ReadOnlySpan<int> labels)
    {
        long positives = 0;
        double positiveRankSum = 0;
        int i = 0;
        while (i < sortedKeys.Length)
        {
            int j = i;
            while (j < sortedKeys.Length && sortedKeys[j] == sortedKeys[i]) j++;
            double midRank = (i + 1 + j) / 2.0; // ranks i+1 .. j share their mean
            for (int k = i; k < j; k++)
            {
                if (labels[order[k]] == 1)
                {
                    positives++;
                    positiveRankSum += midRank;
                }
            }
            i = j;
        }
        long negatives = sortedKeys.Length - positives;
        if (positives == 0 || negatives == 0) return null;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    private static void RequirePairs(int scoreCount, int labelCount)
    {
        if (scoreCount == 0)
            throw new ArgumentException("AUC needs at least one sample; the scores are empty.", "scores");
        if (scoreCount != labelCount)
            throw new ArgumentException($"{scoreCount} scores but {labelCount} labels; they must match.", "labels");
    }

    private static void CheckScoresAndLabels(float[] scores, ReadOnlySpan<int> labels)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            if (labels[i] is not (0 or 1))
                throw new ArgumentException($"Label {i} is {labels[i]}; expected 0 or 1.", nameof(labels));
        }
    }
}
