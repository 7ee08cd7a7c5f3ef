using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

public class DigitsTests
{
    [Fact]
    public void EmbeddedDigitsHaveTheDocumentedShapeRangeAndClasses()
    {
        var digits = Datasets.Digits();
        Assert.Equal(1797, digits.Count);
        Assert.Equal(new[] { 1, 8, 8 }, digits.SampleShape);
        Assert.Equal(10, digits.ClassCount);
        Assert.All(digits.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, digits.Features.Max());
        // Every class is present with roughly 180 samples (174..183 in the UCI set).
        Assert.All(Enumerable.Range(0, 10), c => Assert.InRange(digits.Labels.Count(l => l == c), 170, 190));
        // First row of the file: 0,0,5,13,9,1,0,0,... label 0.
        Assert.Equal(5f / 16, digits.Features[2]);
        Assert.Equal(13f / 16, digits.Features[3]);
        Assert.Equal(0, digits.Labels[0]);
    }

    [Fact]
    public void DigitsSplitIsSeededDisjointAndComplete()
    {
        var (train, test) = Datasets.DigitsSplit(seed: 7);
        var (train2, test2) = Datasets.DigitsSplit(seed: 7);
        var (_, test3) = Datasets.DigitsSplit(seed: 8);
        Assert.Equal(1797, train.Count + test.Count);
        Assert.Equal(359, test.Count);
        Assert.Equal(test.Features, test2.Features);
        Assert.Equal(train.Labels, train2.Labels);
        Assert.NotEqual(test.Features, test3.Features);
    }

    [Fact]
    public void BadDigitsCellNamesLineAndColumn()
    {
        string row = string.Join(",", Enumerable.Repeat("3", 64)) + ",4\n";
        var text = new StringReader(row + row.Replace("3,3,4\n", "3,x,4\n"));
        var ex = Assert.Throws<InvalidDataException>(() => Datasets.ReadDigitsCsv(text, "digits-test.csv"));
        Assert.Contains("digits-test.csv", ex.Message);
        Assert.Contains("line 2, column 64", ex.Message);
    }
}
