using RocketNet.Memory;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Tests.Training;
using RocketNet.Training.Data;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;
using Xunit;

namespace RocketNet.Tests.Engine.Memory;

/// <summary>
/// The pool's counters are process-wide, so these tests run in the non-parallel collection: no other
/// test rents or returns while they look at <see cref="BufferPool.RetainedFloats"/>.
/// </summary>
[Collection(AllocationCollection.Name)]
public class BufferPoolReleaseTests
{
    [Fact]
    public void ReleaseDropsEveryRetainedArray()
    {
        const int length = 777_777;
        var array = BufferPool.Rent(length, clear: false);
        BufferPool.Return(array);
        Assert.True(BufferPool.RetainedFloats >= length);
        Assert.True(BufferPool.Release(collect: false) >= length);
        Assert.Equal(0, BufferPool.RetainedFloats);
        Assert.NotSame(array, BufferPool.Rent(length, clear: false));
    }

    [Fact]
    public void ReturnsBeyondTheCapAreDroppedAndCounted()
    {
        long cap = BufferPool.MaxRetainedFloats;
        try
        {
            BufferPool.Release(collect: false);
            BufferPool.MaxRetainedFloats = 1000;
            long dropped = BufferPool.DroppedFloats;
            BufferPool.Return(new float[600]);
            BufferPool.Return(new float[600]); // 1,200 > 1,000: not kept
            Assert.Equal(600, BufferPool.RetainedFloats);
            Assert.Equal(dropped + 600, BufferPool.DroppedFloats);
        }
        finally
        {
            BufferPool.MaxRetainedFloats = cap;
            BufferPool.Release(collect: false);
        }
    }

    [Fact]
    public void DefaultCapHoldsAWarmStepAndTheTrainerReleasesThePoolAroundEvaluation()
    {
        var data = TrainingData.Separable(64, seed: 3);
        var pair = new TinyPair(4, 3, seed: 2);
        var trainer =
            new RocketTrainer(pair, new Sgd(RocketTrainer.TrainableParameters(pair, TrainingMethod.Rocket),
                0.1, momentum: 0.9),
            new ConstantSchedule(0.1), new TrainerOptions { Method = TrainingMethod.Rocket, Epochs = 3 });
        var loader = new BatchLoader(data, 16, seed: 1);
        trainer.RunEpoch(0, loader); // warms the pool with every shape a step rents
        long dropped = BufferPool.DroppedFloats;
        trainer.RunEpoch(1, loader);
        Assert.Equal(dropped, BufferPool.DroppedFloats); // a warm epoch gives every array back for reuse
        Assert.True(BufferPool.RetainedFloats > 0);

        trainer.RunEpoch(2, loader, data);
        Assert.Equal(0, BufferPool.RetainedFloats); // evaluation's buffers do not linger into the next epoch
    }
}
