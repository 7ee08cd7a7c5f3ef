// Loads the light net Trainer exported through RocketNet.Serving alone, serves the saved samples from several
// threads at once with one shared predictor, and checks every answer against the trainer's own logits.
using System.Globalization;
using RocketNet;
using RocketNet.Layers;
using RocketNet.Serving;

string folder = args.Length == 1 ? args[0] : throw new ArgumentException("usage: Server MODEL_FOLDER");
var predictor = Predictor.FromCheckpoint(Path.Combine(folder, "light.safetensors"), a => ArchitectureRegistry.BuildLight(a, new RandomGenerator(0)));
var rows = File.ReadAllLines(Path.Combine(folder, "expected.csv"))
    .Select(line => line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
int mismatches = 0;
Parallel.For(0, 8, _ =>
{
    var logits = new float[predictor.OutputSize];
    foreach (var row in rows)
    {
        predictor.Predict(row.AsSpan(0, 64), logits);
        if (!logits.AsSpan().SequenceEqual(row.AsSpan(64))) Interlocked.Increment(ref mismatches);
    }
});
Console.WriteLine($"server: {8 * rows.Length} predictions from 8 threads, {mismatches} differ from the trainer's logits");
return mismatches == 0 ? 0 : 1;
