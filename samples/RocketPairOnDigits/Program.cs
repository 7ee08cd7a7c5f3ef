// A booster/light pair trained with Rocket Launching on the digits embedded in RocketNet.Training, next to the
// same light net trained alone: docs/using.md's training snippet on data that needs no download.
using RocketNet;
using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;

var (train, test) = Datasets.DigitsSplit(seed: 0);
(train, test) = (Flat(train), Flat(test));                                  // [1, 8, 8] images → 64 values for MLPs

foreach (var method in new[] { TrainingMethod.Base, TrainingMethod.Rocket })
{
    // Shared layer 64→8; light head 8→10; booster head 8→256 (batch norm)→10.
    var pair = MlpPair.Create(64, [8], [256], [], 10, new RandomGenerator(1), boosterBatchNorm: true);
    var sgd = new Sgd(RocketTrainer.TrainableParameters(pair, method), 0.02, momentum: 0.9, weightDecay: 5e-4);
    var trainer = new RocketTrainer(pair, sgd, new ConstantSchedule(0.02),
        // logit-MSE hint, gradient block on
        new TrainerOptions { Method = method, Epochs = 40, Loss = new() { Lambda = 0.01f } });
    trainer.Fit(new BatchLoader(train, 32, shuffle: true, seed: 1));
    var result = trainer.Evaluate(test);
    Module light = pair.ExtractLight();                                      // the net that ships
    Console.WriteLine(
        $"{method,-6}: light net {result.Light.Accuracy:P2} on {test.Count} test digits " +
        $"({light.ParameterCount()} parameters)");
}

static Dataset Flat(Dataset d) => new(d.Name, d.Features, d.Labels, [d.SampleSize], d.ClassCount, d.ClassNames);
