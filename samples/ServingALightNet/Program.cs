// Serving with RocketNet.Serving alone: save a light net as a model file, load it back through the Predictor,
// and answer requests from several threads with one shared predictor (it is thread-safe).
using RocketNet;
using RocketNet.Layers;
using RocketNet.Serving;

const string architecture = "ctr-towers vocab=100x50x20 dim=8 booster=64 light=16 classes=2";
var light = ArchitectureRegistry.BuildLight(architecture, new RandomGenerator(3));   // (trained weights in a real app)
string path = Path.Combine(Path.GetTempPath(), "rocketnet-sample-light.safetensors");
Checkpoint.Save(path, light, architecture, inputShape: [3],
    metrics: new Dictionary<string, string> { [Checkpoint.RoleMetric] = Checkpoint.LightRole });

var predictor = Predictor.FromCheckpoint(path, a => ArchitectureRegistry.BuildLight(a, new RandomGenerator(0)));
Console.WriteLine(
    $"serving {architecture}: {predictor.OutputSize} logits per request, dense plan: {predictor.UsesDensePlan}");
Parallel.For(0, 4, caller =>
{
    var logits = new float[predictor.OutputSize];
    predictor.Predict([caller, 7, 3], logits);                                // category ids of the three fields
    Predictor.Softmax(logits);
    Console.WriteLine($"  caller {caller}: click probability {logits[1]:F4}");
});
File.Delete(path);
