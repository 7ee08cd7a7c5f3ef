using RocketNet.Training.Data;
using RocketNet.Layers;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;
using Xunit;

namespace RocketNet.Tests.Training;

public class TrainerTests
{
    private static readonly RocketNet.Training.Data.Dataset Data = TrainingData.Separable(48, seed: 5);

    private static float[][] Snapshot(IEnumerable<Tensor> tensors) => tensors.Select(t => t.ToArray()).ToArray();

    private static bool Same(float[][] a, IEnumerable<Tensor> b) =>
        a.Zip(b).All(x => x.First.SequenceEqual(x.Second.ToArray()));

    private static RocketTrainer Trainer(TinyPair pair, TrainingMethod method,
        Module? teacher = null, int epochs = 1) =>
        new(pair, new Sgd(RocketTrainer.TrainableParameters(pair, method), 0.1, momentum: 0.9),
            new ConstantSchedule(0.1),
            new TrainerOptions { Method = method, Epochs = epochs, Teacher = teacher });

    [Fact]
    public void BaseTrainsOnlyTheLightNetAndBoosterOnlyTheBooster()
    {
        var pair = new TinyPair(4, 3, seed: 1);
        var boosterOnly = Snapshot(pair.BoosterOnlyParameters());
        var lightOnly = Snapshot(pair.LightOnlyParameters());
        var record = Trainer(pair, TrainingMethod.Base).RunEpoch(0, new BatchLoader(Data, 16, seed: 1), Data);
        Assert.True(Same(boosterOnly, pair.BoosterOnlyParameters()));
        Assert.False(Same(lightOnly, pair.LightOnlyParameters()));
        Assert.True(double.IsNaN(record.TrainBoosterAccuracy));
        Assert.True(double.IsNaN(record.Validation!.Value.Booster.Accuracy));
        Assert.Equal(0, record.TrainLoss.BoosterCrossEntropy);

        lightOnly = Snapshot(pair.LightOnlyParameters());
        boosterOnly = Snapshot(pair.BoosterOnlyParameters());
        var boosterRecord = Trainer(pair, TrainingMethod.Booster).RunEpoch(0, new BatchLoader(Data, 16, seed: 1));
        Assert.True(Same(lightOnly, pair.LightOnlyParameters()));
        Assert.False(Same(boosterOnly, pair.BoosterOnlyParameters()));
        Assert.True(double.IsNaN(boosterRecord.TrainLightAccuracy));
    }

    [Fact]
    public void TeacherMethodsTrainTheLightNetAndLeaveTheTeacherFrozen()
    {
        var teacherPair = new TinyPair(4, 3, seed: 2);
        Trainer(teacherPair, TrainingMethod.Booster, epochs: 2).Fit(new BatchLoader(Data, 16, seed: 2));
        var teacherValues = Snapshot(teacherPair.Booster.Parameters());
        foreach (var p in teacherPair.Parameters()) p.Grad = null; // left over from its own training
        foreach (var method in new[] { TrainingMethod.Kd, TrainingMethod.NoJoint, TrainingMethod.RocketKd })
        {
            var pair = new TinyPair(4, 3, seed: 3);
            var lightOnly = Snapshot(pair.LightOnlyParameters());
            var record = Trainer(pair, method, teacherPair.Booster).RunEpoch(0, new BatchLoader(Data, 16, seed: 3));
            Assert.False(Same(lightOnly, pair.LightOnlyParameters()));
            Assert.True(Same(teacherValues, teacherPair.Booster.Parameters()), $"{method} changed the teacher");
            Assert.All(teacherPair.Booster.Parameters(), p => Assert.Null(p.Grad));
            if (method == TrainingMethod.NoJoint) Assert.True(record.TrainLoss.Hint > 0);
            else Assert.True(record.TrainLoss.Distillation > 0);
        }
    }

    [Fact]
    public void MisconfiguredRunsAreRejectedWithClearMessages()
    {
        var pair = new TinyPair(4, 3, seed: 4);
        var all = new Sgd(pair.Parameters(), 0.1);
        var wrong = Assert.Throws<ArgumentException>(() => new RocketTrainer(pair, all, new ConstantSchedule(0.1),
            new TrainerOptions { Method = TrainingMethod.Base }));
        Assert.Contains("TrainableParameters", wrong.Message);
        Assert.Contains("Teacher", Assert.Throws<ArgumentException>(() => Trainer(pair, TrainingMethod.Kd)).Message);
        Assert.Throws<ArgumentException>(() => Trainer(pair, TrainingMethod.Rocket, new TinyPair(4, 3, 5).Booster));
        Assert.Contains("shares parameters",
            Assert.Throws<ArgumentException>(() => Trainer(pair, TrainingMethod.NoJoint, pair.Booster)).Message);
    }

    [Fact]
    public void EvaluationMatchesAHandCountAndRestoresTheMode()
    {
        var pair = new TinyPair(4, 3, seed: 8);
        pair.Train();
        var result = Evaluator.Evaluate(pair, Data, batchSize: 7);
        Assert.True(pair.IsTraining);
        int correct = 0;
        using (TensorScope.Begin())
        {
            var light = pair.Light.Forward(Tensor.FromArray(Data.Features, 48, 4));
            for (int i = 0; i < 48; i++)
            {
                var row = light.Data.Slice(i * 3, 3).ToArray();
                if (Array.IndexOf(row, row.Max()) == Data.Labels[i]) correct++;
            }
        }
        Assert.Equal(correct / 48.0, result.Light.Accuracy, 12);
        Assert.Equal(48, result.Booster.Count);
        var alone = Evaluator.Evaluate(pair.Light, Data, 100);
        Assert.Equal(result.Light.Accuracy, alone.Accuracy);
        // batches of 7 vs 100 sum in a different order
        Assert.True(Math.Abs(result.Light.Loss - alone.Loss) < 1e-5, $"{result.Light.Loss} vs {alone.Loss}");
    }

    [Fact]
    public void EpochRecordsCarryTheScheduleAndFormatAsCsv()
    {
        var pair = new TinyPair(4, 3, seed: 9);
        var schedule = new MultiStepSchedule(0.1, [2], 0.5, resetMomentumAtDrops: true);
        var trainer = new RocketTrainer(pair, new Sgd(pair.Parameters(), 0.1, momentum: 0.9), schedule,
            new TrainerOptions { Epochs = 3 });
        var logged = new List<EpochRecord>();
        var records = trainer.Fit(new BatchLoader(Data, 16, seed: 1), Data, logged.Add);
        Assert.Equal(records, logged);
        Assert.Equal([0.1, 0.1, 0.05], records.Select(r => r.LearningRate));
        string row = records[2].ToCsvRow();
        Assert.Equal(EpochRecord.CsvHeader.Split(',').Length, row.Split(',').Length);
        Assert.StartsWith("2,0.05,", row);
    }

    /// <summary>Plain SGD that records when its state is reset and with which learning rates it steps.</summary>
    private sealed class RecordingOptimizer(IEnumerable<Tensor> parameters) : Optimizer(parameters, 0.1)
    {
        public List<double> Rates { get; } = [];

        public List<int> ResetsAfterSteps { get; } = [];

        public override void ResetState() => ResetsAfterSteps.Add(Rates.Count);

        public override IReadOnlyDictionary<string, float[]> GetState() => new Dictionary<string, float[]>();

        public override void LoadState(IReadOnlyDictionary<string, float[]> state)
        {
        }

        protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
        {
            if (index == 0) Rates.Add(LearningRate);
        }
    }

    [Fact]
    public void TrainerResetsOptimizerStateAtScheduledDropsAndSetsTheRatePerStep()
    {
        var pair = new TinyPair(4, 3, seed: 10);
        var optimizer = new RecordingOptimizer(pair.Parameters());
        var schedule = new CosineSchedule(1.0, totalEpochs: 2);
        new RocketTrainer(pair, optimizer, new MultiStepSchedule(0.1, [1, 2], 0.5, resetMomentumAtDrops: true),
            new TrainerOptions { Epochs = 3 })
            .Fit(new BatchLoader(Data, 16, seed: 1));
        Assert.Equal([3, 6], optimizer.ResetsAfterSteps); // 3 batches per epoch; resets before epochs 1 and 2
        Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025], optimizer.Rates);

        var cosine = new RecordingOptimizer(pair.Parameters());
        new RocketTrainer(pair, cosine, schedule, new TrainerOptions { Epochs = 1 }).Fit(
            new BatchLoader(Data, 16, seed: 1));
        Assert.Equal([1.0, schedule.LearningRate(1 / 3.0), schedule.LearningRate(2 / 3.0)], cosine.Rates);
        Assert.Empty(cosine.ResetsAfterSteps);
    }
}

public class CollapseDetectionTests
{
    private static readonly RocketNet.Training.Data.Dataset Data = TrainingData.Separable(48, seed: 5);

    private static EpochRecord RocketEpoch(TinyPair pair) =>
        new RocketTrainer(pair, new Sgd(RocketTrainer.TrainableParameters(pair, TrainingMethod.Rocket),
            0.1, momentum: 0.9),
            new ConstantSchedule(0.1),
            new TrainerOptions { Method = TrainingMethod.Rocket, Epochs = 1 }).RunEpoch(0,
                new BatchLoader(Data, 16, seed: 1));

    [Fact]
    public void AHealthyPairIsNotReportedAsCollapsed() =>
        Assert.Equal(CollapsedNets.None, RocketEpoch(new TinyPair(4, 3, seed: 1)).Collapsed);

    [Fact]
    public void ANetWhoseOutputNoLongerDependsOnTheInputIsReported()
    {
        // All-zero weights: every layer's output is its bias, the same for every sample, and the weights'
        // gradients are zero too (they are products with zero downstream weights), so it never recovers.
        var pair = new TinyPair(4, 3, seed: 1);
        foreach (var p in pair.Parameters()) p.Data.Clear();
        Assert.Equal(CollapsedNets.Light | CollapsedNets.Booster, RocketEpoch(pair).Collapsed);
    }
}
