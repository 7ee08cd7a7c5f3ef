// Trains a tiny booster/light pair with Rocket Launching on the digits embedded in RocketNet.Training, exports
// the light net, and writes test samples with the logits this process computes for them, for Server to check.
using System.Globalization;
using RocketNet;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;

string folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Trainer OUTPUT_FOLDER");
Directory.CreateDirectory(folder);
var (train, test) = Datasets.DigitsSplit(seed: 0);
train = new Dataset(train.Name, train.Features, train.Labels, [64], train.ClassCount);
test = new Dataset(test.Name, test.Features, test.Labels, [64], test.ClassCount);

const string architecture = "mlp in=64 shared=16 booster=128 light= classes=10 booster-bn=1";
var pair = ArchitectureRegistry.BuildPair(architecture, new RandomGenerator(1));
var trainer = new RocketTrainer(pair, new Sgd(RocketTrainer.TrainableParameters(pair, TrainingMethod.Rocket), 0.05, momentum: 0.9),
    new ConstantSchedule(0.05), new TrainerOptions { Method = TrainingMethod.Rocket, Epochs = 10 });
trainer.Fit(new BatchLoader(train, 32, shuffle: true, seed: 1));
var evaluation = trainer.Evaluate(test);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trainer: light {evaluation.Light.Accuracy:P1}, booster {evaluation.Booster.Accuracy:P1} on {test.Count} test digits"));

var light = pair.ExtractLight().Eval();
Checkpoint.Save(Path.Combine(folder, "light.safetensors"), light, architecture,
    metrics: new Dictionary<string, string> { [Checkpoint.RoleMetric] = Checkpoint.LightRole }, inputShape: [64]);
using var expected = new StreamWriter(Path.Combine(folder, "expected.csv"));
var logits = new float[10];
var predictor = new Predictor(light, [64]);
for (int i = 0; i < 50; i++)
{
    var sample = test.Features.AsSpan(i * 64, 64);
    predictor.Predict(sample, logits);
    expected.WriteLine(string.Join(",", sample.ToArray().Concat(logits).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
}
Console.WriteLine($"trainer: exported the light net ({light.ParameterCount():N0} parameters) to {folder}");
