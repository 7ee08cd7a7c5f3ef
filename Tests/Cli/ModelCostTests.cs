using RocketNet.Cli.Reporting;
using RocketNet.Layers;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>The request-time summary <c>rocketnet eval --timing</c> prints.</summary>
[Collection(ThreadCountCollection.Name)] // predictions run on the engine's threads
public class ModelCostTests
{
    private static readonly Module Net = new Sequential(new Linear(6, 4, new RandomGenerator(1)), new ReLU(),
        new Linear(4, 2, new RandomGenerator(2)));

    [Fact]
    public void TimesAtMostTheRequestedSamplesAndOrdersTheSummary()
    {
        var samples = new float[5 * 6];
        for (int i = 0; i < samples.Length; i++) samples[i] = i % 5 - 2;
        var few = ModelCost.MicrosecondsPerRequest(Net, [6], samples, sampleCount: 32, callsPerSample: 5);
        Assert.Equal(5, few.Samples); // only five whole samples
        Assert.True(few.Median > 0 && few.Percentile90 >= few.Median);
        Assert.Equal(3, ModelCost.MicrosecondsPerRequest(Net, [6], samples, sampleCount: 3, callsPerSample: 5).Samples);
    }

    [Fact]
    public void NoWholeSampleOrNoCallsIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCost.MicrosecondsPerRequest(Net, [6], new float[5]));
        Assert.Contains("at least one sample of 6 values", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelCost.MicrosecondsPerRequest(Net, [6], new float[6],
            callsPerSample: 0));
    }
}
