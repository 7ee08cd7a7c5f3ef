#:project ../../Cli/RocketNet.Cli.csproj
// Fills the generated tables of RESULTS.md from the runs under results/ and draws the comparison charts.
// Run from the repository root: dotnet run experiments/tools/Summarize.cs
// Every number it writes comes from a finished run's log.csv (runs without a DONE file are ignored) or,
// for CTR costs, from the eval.txt that experiments/ctr.sh saves beside it. Blocks between
// <!-- BEGIN name --> and <!-- END name --> in RESULTS.md (and docs/history/short-schedule-runs.md) are replaced;
// everything else is left alone.
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RocketNet.Cli.Reporting;
using RocketNet.Training.Metrics;

var inv = CultureInfo.InvariantCulture;
string root = Directory.GetCurrentDirectory();
string resultsDir = Path.Combine(root, "results");
string resultsFile = Path.Combine(root, "RESULTS.md");
if (!File.Exists(resultsFile)) { Console.Error.WriteLine("run from the repository root (RESULTS.md not found)"); return 2; }

var blocks = new Dictionary<string, string>
{
    ["cifar10-table1"] = Table1("cifar10",
        [("WRN-16-1 (b) interval", "", "8.77", "8.25", "8.39", "7.87", "7.52", "6.64", "6.58"),
         ("WRN-16-1 (a) bottom", "bottom-", "8.69", "–", "8.34", "7.85", "7.51", "7.27", "6.58")]),
    ["cifar10-table2"] = Row("cifar10", ["base", "no GB", "no sharing", "no joint training", "rocket"],
        [("base", "light"), ("no-gb", "light"), ("no-sharing", "light"), ("no-joint", "light"), ("rocket", "light")],
        ["8.77", "8.50", "8.06", "8.04", "7.87"]),
    ["cifar10-table3"] = Row("cifar10", ["logit MSE (rocket)", "probability MSE", "KD"],
        [("rocket", "light"), ("prob-mse", "light"), ("kd-hint", "light")], ["7.87", "8.32", "7.98"]),
    ["fashion-table1"] = Table1("fashion-mnist", [("WRN-16-1 (b) interval", "", "–", "–", "–", "–", "–", "–", "–")], paperRow: false),
    ["ctr-ticdata"] = CtrTable("ctr-ticdata", gauc: false),
    ["ctr-synthetic"] = CtrTable("ctr-synthetic", gauc: true),
    ["cost"] = CostTable(),
    ["cost-to-best"] = CostToBest([("fmnist-mlp", "acc"), ("ticdata-val", "auc"), ("clicks", "gauc")]),
    ["headline"] = Headline(
        [("Fashion-MNIST (MLP, 20 epochs)", "fmnist-mlp", "acc", "base", "rocket"),
         ("Fashion-MNIST: what the hint adds to joint training", "fmnist-mlp", "acc", "rocket-l0", "rocket"),
         ("click log, paper settings", "clicks", "gauc", "base", "rocket"),
         ("click log, both tuned on validation", "clicks", "gauc", "base-tuned", "rocket-tuned"),
         ("click log: what the hint adds to joint training (tuned)", "clicks", "gauc", "rocket-l0-tuned", "rocket-tuned"),
         ("ticdata (validated booster)", "ticdata-val", "auc", "base", "rocket"),
         ("CIFAR-10 (WRN-16-1, 30 epochs, interval sharing)", "cifar10-e30", "acc", "base", "rocket")]),
    ["fmnist-arms"] = Arms("fmnist-mlp", "acc"),
    ["fmnist-light"] = Comparisons("fmnist-mlp", "acc", "light", "base",
        [("rocket", "rocket"), ("joint, λ = 0 (no hint)", "rocket-l0"), ("rocket without gradient block", "rocket-nogb"),
         ("rocket without sharing", "rocket-noshare"), ("KD from the booster alone", "kd"), ("rocket + KD", "rocket-kd")]),
    ["fmnist-sgb"] = Comparisons("fmnist-mlp", "acc", "light", "base",
        [("rocket, light reads shared layers detached", "rocket-sgb")]),
    ["fmnist-hint"] = Comparisons("fmnist-mlp", "acc", "light", "rocket",
        [("probability MSE", "rocket-probmse"), ("KD as the hint", "rocket-kdhint")]),
    ["fmnist-lambda"] = Comparisons("fmnist-mlp", "acc", "light", "rocket",
        [("λ = 0 (joint training alone)", "rocket-l0"), ("λ = 0.003", "rocket-lam0.003"), ("λ = 0.01", "rocket-lam0.01"),
         ("λ = 0.1", "rocket-lam0.1"), ("λ = 0.3", "rocket-lam0.3")]),
    ["fmnist-booster"] = Comparisons("fmnist-mlp", "acc", "booster", "booster",
        [("booster inside rocket", "rocket"), ("booster inside rocket, no gradient block", "rocket-nogb"), ("booster inside joint λ = 0", "rocket-l0")]),
    ["clicks-arms"] = Arms("clicks", "gauc"),
    ["clicks-light"] = Comparisons("clicks", "gauc", "light", "base",
        [("tuned base (chosen on validation)", "base-tuned"), ("rocket", "rocket"), ("joint, λ = 0 (no hint)", "rocket-l0"),
         ("rocket without gradient block", "rocket-nogb")]),
    ["clicks-tuned"] = Comparisons("clicks", "gauc", "light", "base-tuned",
        [("rocket", "rocket-tuned"), ("joint, λ = 0 (no hint)", "rocket-l0-tuned"), ("rocket without gradient block", "rocket-nogb-tuned"),
         ("rocket, light reads shared embeddings detached", "rocket-sgb-tuned"), ("rocket, booster 720×360×240×200×80", "v-rocket-tuned"),
         ("rocket + cosine feature hint, same booster", "v-rocket-fh-tuned")]),
    ["clicks-hint"] = Comparisons("clicks", "gauc", "light", "rocket-l0-tuned", [("rocket (tuned): what the hint adds to joint training", "rocket-tuned")]),
    ["clicks-hint-paper"] = Comparisons("clicks", "gauc", "light", "rocket-l0", [("rocket (paper settings): what the hint adds to joint training", "rocket")]),
    ["clicks-feature"] = Comparisons("clicks", "gauc", "light", "v-rocket-tuned", [("cosine feature hint", "v-rocket-fh-tuned")]),
    ["clicks-booster"] = Comparisons("clicks", "gauc", "booster", "booster-tuned",
        [("booster inside rocket", "rocket-tuned"), ("booster inside rocket, no gradient block", "rocket-nogb-tuned"), ("booster inside joint λ = 0", "rocket-l0-tuned")]),
    ["clicks-booster-paper"] = Comparisons("clicks", "gauc", "booster", "booster",
        [("booster inside rocket", "rocket"), ("booster inside rocket, no gradient block", "rocket-nogb")]),
    ["ticdata-arms"] = Arms("ticdata-val", "auc"),
    ["ticdata-light"] = Comparisons("ticdata-val", "auc", "light", "base", [("rocket", "rocket"), ("joint, λ = 0 (no hint)", "rocket-l0")]),
    ["ticdata-precondition"] = Comparisons("ticdata-val", "auc", "booster", "base", [("booster alone vs light alone", "booster")], baseNet: "light"),
    ["fmnist-precondition"] = Comparisons("fmnist-mlp", "acc", "booster", "base", [("booster alone vs light alone", "booster")], baseNet: "light"),
    ["fmnist-feature"] = Comparisons("fmnist-mlp", "acc", "light", "v64-base",
        [("rocket, 64-wide variant", "v64-rocket"), ("rocket + cosine feature hint, 64-wide variant", "v64-rocket-fh")]),
    ["cifar10-arms"] = Arms("cifar10-e30", "acc"),
    ["cifar10-light"] = Comparisons("cifar10-e30", "acc", "light", "base",
        [("rocket", "rocket"), ("rocket without gradient block", "no-gb"), ("joint, λ = 0 (no hint)", "lambda0"),
         ("rocket, probability MSE", "prob-mse"), ("KD from the booster alone", "kd"), ("rocket + KD", "rocket-kd")]),
};

// The earlier short-schedule runs' tables (cifar10-table1 … cost) live in docs/history/short-schedule-runs.md.
string[] blockFiles = [resultsFile, Path.Combine(root, "docs", "history", "short-schedule-runs.md")];
var texts = blockFiles.Where(File.Exists).ToDictionary(f => f, f => File.ReadAllText(f));
foreach (var (name, body) in blocks)
{
    var pattern = new Regex($"(<!-- BEGIN {Regex.Escape(name)} -->\n)(.*?)(<!-- END {Regex.Escape(name)} -->)", RegexOptions.Singleline);
    string? file = texts.Keys.FirstOrDefault(f => pattern.IsMatch(texts[f]));
    if (file is null) { Console.Error.WriteLine($"no block '{name}' in RESULTS.md or docs/history/short-schedule-runs.md"); continue; }
    texts[file] = pattern.Replace(texts[file], m => m.Groups[1].Value + body + m.Groups[3].Value);
}
foreach (var (file, text) in texts) File.WriteAllText(file, text);
foreach (var experiment in new[] { "cifar10", "fashion-mnist" }) Chart(experiment, "test");
foreach (var experiment in new[] { "fmnist-mlp" }) Chart(experiment, "validation"); // accuracy: the CTR experiments are judged by AUC
Console.WriteLine($"updated {resultsFile}");
return 0;

// ---- tables ----

string Table1(string experiment, (string Label, string Prefix, string Base, string At, string Kd, string Rocket, string RocketKd, string BoosterIn, string BoosterAlone)[] rows, bool paperRow = true)
{
    var sb = new StringBuilder();
    sb.AppendLine("| light (sharing) | | base | AT | KD | rocket | rocket+KD | booster in rocket | booster alone |");
    sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var r in rows)
    {
        if (paperRow) sb.AppendLine($"| {r.Label} | paper | {r.Base} | {r.At} | {r.Kd} | {r.Rocket} | {r.RocketKd} | {r.BoosterIn} | {r.BoosterAlone} |");
        string p = r.Prefix;
        sb.AppendLine($"| {r.Label} | RocketNet | {Cell(experiment, p + "base", "light")} | {(p.Length == 0 ? Cell(experiment, "at", "light") : "–")} | " +
                      $"{Cell(experiment, p + "kd", "light")} | {Cell(experiment, p + "rocket", "light")} | {Cell(experiment, p + "rocket-kd", "light")} | " +
                      $"{Cell(experiment, p + "rocket", "booster")} | {Cell(experiment, "booster", "booster")} |");
    }
    return sb.ToString();
}

string Row(string experiment, string[] headers, (string Run, string Net)[] cells, string[] paper)
{
    var sb = new StringBuilder();
    sb.AppendLine("| | " + string.Join(" | ", headers) + " |");
    sb.AppendLine("|---|" + string.Concat(headers.Select(_ => "---:|")));
    sb.AppendLine("| paper, WRN-16-1 (b) | " + string.Join(" | ", paper) + " |");
    sb.AppendLine("| RocketNet, WRN-16-1 (b) | " + string.Join(" | ", cells.Select(c => Cell(experiment, c.Run, c.Net))) + " |");
    return sb.ToString();
}

string CtrTable(string experiment, bool gauc)
{
    var sb = new StringBuilder();
    sb.AppendLine("| model | FC layers | FC multiplications / sample | parameters (with embeddings) | µs per single-sample request | test AUC |" + (gauc ? " test GAUC |" : ""));
    sb.AppendLine("|---|---|---:|---:|---:|---:|" + (gauc ? "---:|" : ""));
    foreach (var (label, run, net) in new[] { ("base", "base", "light"), ("rocket", "rocket", "light"), ("booster alone", "booster", "booster") })
    {
        var cost = CostLine(experiment, run, net);
        sb.AppendLine($"| {label} | {LayerList(experiment, run, net)} | {cost.Multiplications} | {cost.Parameters} | {cost.Micros} | " +
                      $"{Cell(experiment, run, net, "auc")} |" + (gauc ? $" {Cell(experiment, run, net, "gauc")} |" : ""));
    }
    sb.AppendLine($"| (booster inside rocket) | | | | | {Cell(experiment, "rocket", "booster", "auc")} |" + (gauc ? $" {Cell(experiment, "rocket", "booster", "gauc")} |" : ""));
    return sb.ToString();
}

string CostTable()
{
    var sb = new StringBuilder();
    sb.AppendLine("| what | booster alone | light alone | both separately | rocket, jointly | rocket / separately |");
    sb.AppendLine("|---|---:|---:|---:|---:|---:|");
    sb.AppendLine("| paper: CIFAR-10 training to the best epoch, GPU (s) | 4,255.8 | 3,019.5 | 7,275.3 | 6,153.0 | 0.85 |");
    string steps = Path.Combine(resultsDir, "cost", "steps.jsonl");
    if (File.Exists(steps))
    {
        var medians = File.ReadLines(steps).Select(l => Regex.Match(l, @"""workload"":""([^""]+)"",""threads"":(\d+),""median_ms"":([0-9.]+)"))
            .Where(m => m.Success).ToDictionary(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, inv)), m => double.Parse(m.Groups[3].Value, inv));
        foreach (int threads in new[] { 1, 2 })
        {
            if (!medians.TryGetValue(("wrn40-1", threads), out var b) || !medians.TryGetValue(("wrn16-1", threads), out var l) || !medians.TryGetValue(("rocket-wrn", threads), out var r)) continue;
            sb.AppendLine(string.Create(inv, $"| one CIFAR step of 128, {threads} thread{(threads > 1 ? "s" : "")} (ms, `experiments/cost.sh`) | {b:F0} | {l:F0} | {b + l:F0} | {r:F0} | {r / (b + l):F2} |"));
        }
    }
    foreach (var experiment in new[] { "cifar10", "fashion-mnist" })
    {
        double booster = TrainSeconds(experiment, "booster-s1"), light = TrainSeconds(experiment, "base-s1"), rocket = TrainSeconds(experiment, "rocket-s1");
        if (double.IsNaN(booster) || double.IsNaN(light) || double.IsNaN(rocket)) { sb.AppendLine($"| {experiment} | not run | | | | |"); continue; }
        sb.AppendLine(string.Create(inv, $"| {experiment} runs, seed 1, same epochs each (s, machine shared) | {booster:N0} | {light:N0} | {booster + light:N0} | {rocket:N0} | {rocket / (booster + light):F2} |"));
    }
    return sb.ToString();
}

// ---- seed-paired comparisons (test part read once, after the last epoch: test.csv) ----

// Every finished run of experiment/arm-s<seed> with its test metric: accuracy in %, AUC or GAUC.
Dictionary<int, double> TestValues(string experiment, string arm, string net, string metric)
{
    var values = new Dictionary<int, double>();
    string dir = Path.Combine(resultsDir, experiment);
    if (!Directory.Exists(dir)) return values;
    var seedRun = new Regex("^" + Regex.Escape(arm) + @"-s(\d+)$");
    foreach (var run in Directory.GetDirectories(dir))
    {
        var m = seedRun.Match(Path.GetFileName(run));
        string file = Path.Combine(run, "test.csv");
        if (!m.Success || !File.Exists(Path.Combine(run, "DONE")) || !File.Exists(file)) continue;
        var lines = File.ReadAllLines(file);
        int column = Array.IndexOf(lines[0].Split(','), $"test_{net}_{metric}");
        double v = double.Parse(lines[1].Split(',')[column], inv);
        if (double.IsNaN(v)) continue;
        values[int.Parse(m.Groups[1].Value, inv)] = metric == "acc" ? 100 * v : v;
    }
    return values;
}

// Margins of equivalence, fixed before the runs: 0.5 accuracy points, 0.005 AUC or GAUC.
double Margin(string metric) => metric == "acc" ? 0.5 : 0.005;

string Format(double v, string metric) => double.IsNaN(v) ? "–" : v.ToString(metric == "acc" ? "F2" : "F4", inv);

string Signed(double v, string metric) => (v >= 0 ? "+" : "−") + Format(Math.Abs(v), metric);

// One row per arm: seeds, mean and range of the light net's and the booster's test metric.
string Arms(string experiment, string metric)
{
    string dir = Path.Combine(resultsDir, experiment);
    if (!Directory.Exists(dir)) return "not run yet\n";
    var arms = Directory.GetDirectories(dir).Select(d => Regex.Replace(Path.GetFileName(d), @"-s\d+$", "")).Distinct().Order(StringComparer.Ordinal);
    var sb = new StringBuilder();
    string unit = metric == "acc" ? "test accuracy %" : $"test {metric.ToUpperInvariant()}";
    sb.AppendLine($"| run | seeds | light: {unit}, mean (min–max) | booster: {unit}, mean (min–max) |");
    sb.AppendLine("|---|---:|---:|---:|");
    foreach (var arm in arms)
    {
        var light = TestValues(experiment, arm, "light", metric).Values.ToList();
        var booster = TestValues(experiment, arm, "booster", metric).Values.ToList();
        int seeds = Math.Max(light.Count, booster.Count);
        if (seeds == 0) continue;
        string Cell(List<double> v) => v.Count == 0 ? "–" : v.Count == 1 ? Format(v[0], metric) : $"{Format(v.Average(), metric)} ({Format(v.Min(), metric)}–{Format(v.Max(), metric)})";
        sb.AppendLine($"| {arm} | {seeds} | {Cell(light)} | {Cell(booster)} |");
    }
    return sb.ToString();
}

// Training cost, the paper's way: epochs and training seconds until each run's best validation epoch
// (the light net's for base and rocket, the booster's for the booster alone), means over seeds, and rocket's
// time to its best against the booster's and the light net's added together.
string CostToBest((string Experiment, string Metric)[] experiments)
{
    var sb = new StringBuilder();
    sb.AppendLine("| data | seeds | epochs of training | light alone: best epoch, s | booster alone: best epoch, s | rocket: best epoch (light), s | rocket / (light + booster) |");
    sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
    foreach (var (experiment, metric) in experiments)
    {
        var rows = new List<(double BaseEpoch, double BaseSeconds, double BoosterEpoch, double BoosterSeconds, double RocketEpoch, double RocketSeconds, int Epochs)>();
        for (int seed = 1; seed <= 100; seed++)
        {
            var b = ToBest(experiment, $"base-s{seed}", "light", metric);
            var o = ToBest(experiment, $"booster-s{seed}", "booster", metric);
            var r = ToBest(experiment, $"rocket-s{seed}", "light", metric);
            if (b is null || o is null || r is null) continue;
            rows.Add((b.Value.Epoch, b.Value.Seconds, o.Value.Epoch, o.Value.Seconds, r.Value.Epoch, r.Value.Seconds, r.Value.Epochs));
        }
        if (rows.Count == 0) { sb.AppendLine($"| {experiment} | 0 | | | | | not run yet |"); continue; }
        double Mean(Func<(double, double, double, double, double, double, int), double> f) => rows.Select(x => f(x)).Average();
        double ratio = rows.Average(x => x.RocketSeconds / (x.BaseSeconds + x.BoosterSeconds));
        sb.AppendLine(string.Create(inv, $"| {experiment} | {rows.Count} | {rows[0].Epochs} | {Mean(x => x.Item1):F1}, {Mean(x => x.Item2):F0} | {Mean(x => x.Item3):F1}, {Mean(x => x.Item4):F0} | {Mean(x => x.Item5):F1}, {Mean(x => x.Item6):F0} | {ratio:F2} |"));
    }
    return sb.ToString();
}

// The 1-based epoch of a run's best validation metric, the training seconds up to it, and the run's length.
(double Epoch, double Seconds, int Epochs)? ToBest(string experiment, string run, string net, string metric)
{
    string dir = Path.Combine(resultsDir, experiment, run);
    if (!File.Exists(Path.Combine(dir, "DONE"))) return null;
    var log = ReadLog(dir);
    string column = metric == "acc" ? $"val_{net}_acc" : $"val_{net}_{metric}";
    int best = -1;
    for (int i = 0; i < log.Count; i++)
        if (!double.IsNaN(log[i][column]) && (best < 0 || log[i][column] > log[best][column])) best = i;
    if (best < 0) return null;
    return (best + 1, log.Take(best + 1).Sum(r => r["train_seconds"]), log.Count);
}

// The one-screen summary: light net of a base arm against the light net of a treatment arm, per data set.
string Headline((string Label, string Experiment, string Metric, string BaseArm, string Arm)[] rows)
{
    var sb = new StringBuilder();
    sb.AppendLine("| light net, test metric | seeds | without | with | paired difference | 95 % t-interval | sign-flip p | verdict |");
    sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
    foreach (var r in rows)
    {
        var (baseValues, values) = (TestValues(r.Experiment, r.BaseArm, "light", r.Metric), TestValues(r.Experiment, r.Arm, "light", r.Metric));
        var seeds = values.Keys.Intersect(baseValues.Keys).Order().ToArray();
        string what = $"{r.Label}: {r.BaseArm} → {r.Arm} ({(r.Metric == "acc" ? "accuracy %" : r.Metric.ToUpperInvariant())})";
        if (seeds.Length == 0) { sb.AppendLine($"| {what} | 0 | | | | | | not run yet |"); continue; }
        var c = PairedComparison.Compute(r.Label, seeds.Select(k => values[k]).ToArray(), seeds.Select(k => baseValues[k]).ToArray());
        string interval = double.IsNaN(c.Low) ? "–" : $"[{Signed(c.Low, r.Metric)}, {Signed(c.High, r.Metric)}]";
        sb.AppendLine(string.Create(inv, $"| {what} | {c.Seeds} | {Format(c.BaseMean, r.Metric)} | {Format(c.TreatmentMean, r.Metric)} | {Signed(c.MeanDifference, r.Metric)} | {interval} | {c.PValue:F3} | {VerdictText(c.Verdict(Margin(r.Metric)))} |"));
    }
    return sb.ToString();
}

string VerdictText(ComparisonVerdict v) => v switch
{
    ComparisonVerdict.Better => "**better**",
    ComparisonVerdict.Worse => "**worse**",
    ComparisonVerdict.Equivalent => "equivalent",
    _ => "inconclusive",
};

// Each treatment arm against the base arm on the seeds both have; Holm-corrected within the table.
string Comparisons(string experiment, string metric, string net, string baseArm, (string Label, string Arm)[] treatments, string? baseNet = null)
{
    var baseValues = TestValues(experiment, baseArm, baseNet ?? net, metric);
    var family = new List<PairedComparison>();
    foreach (var (label, arm) in treatments)
    {
        var values = TestValues(experiment, arm, net, metric);
        var seeds = values.Keys.Intersect(baseValues.Keys).Order().ToArray();
        if (seeds.Length == 0) continue;
        family.Add(PairedComparison.Compute(label, seeds.Select(k => values[k]).ToArray(), seeds.Select(k => baseValues[k]).ToArray()));
    }
    if (family.Count == 0) return "not run yet\n";
    var sb = new StringBuilder();
    string unit = metric == "acc" ? "accuracy points" : metric.ToUpperInvariant();
    string baseName = baseNet is null ? baseArm : $"{baseArm} ({baseNet})";
    sb.AppendLine($"| {net} net: treatment vs {baseName} | seeds | treatment mean | {baseName} mean | paired difference ({unit}) | 95 % t-interval | sign-flip p | Holm p | verdict (margin ±{Format(Margin(metric), metric)}) |");
    sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    foreach (var c in PairedComparison.Holm(family))
    {
        string interval = double.IsNaN(c.Low) ? "–" : $"[{Signed(c.Low, metric)}, {Signed(c.High, metric)}]";
        string verdict = VerdictText(c.Verdict(Margin(metric)));
        sb.AppendLine(string.Create(inv, $"| {c.Name} | {c.Seeds} | {Format(c.TreatmentMean, metric)} | {Format(c.BaseMean, metric)} | {Signed(c.MeanDifference, metric)} | {interval} | {c.PValue:F3} | {c.AdjustedPValue:F3} | {verdict} |"));
    }
    return sb.ToString();
}

// ---- cells ----

// Test error % (or AUC/GAUC) at the last epoch of every finished run named prefix-s<seed>: the value for one
// seed, the median with the range and seed count for several.
string Cell(string experiment, string prefix, string net, string metric = "error")
{
    var values = new List<double>();
    var seedRun = new Regex("^" + Regex.Escape(prefix) + @"-s\d+$");
    string dir = Path.Combine(resultsDir, experiment);
    if (Directory.Exists(dir))
    {
        foreach (var run in Directory.GetDirectories(dir).Where(d => seedRun.IsMatch(Path.GetFileName(d)) && File.Exists(Path.Combine(d, "DONE"))))
        {
            var last = ReadLog(run).LastOrDefault(r => !double.IsNaN(r[$"val_{net}_acc"]));
            if (last is null) continue;
            values.Add(metric switch
            {
                "auc" => last[$"val_{net}_auc"],
                "gauc" => last[$"val_{net}_gauc"],
                _ => 100 * (1 - last[$"val_{net}_acc"]),
            });
        }
    }
    if (values.Count == 0) return "not run";
    string format = metric == "error" ? "F2" : "F4";
    values.Sort();
    if (values.Count == 1) return values[0].ToString(format, inv);
    double median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    return $"{median.ToString(format, inv)} ({values[0].ToString(format, inv)}–{values[^1].ToString(format, inv)}, {values.Count} seeds)";
}

(string Parameters, string Multiplications, string Micros) CostLine(string experiment, string prefix, string net)
{
    string file = Path.Combine(resultsDir, experiment, prefix + "-s1", "eval.txt");
    if (!File.Exists(file)) return ("not run", "not run", "not run");
    var match = File.ReadLines(file).Select(l => Regex.Match(l, $@"^{net} cost: ([0-9,]+) parameters, ([0-9,\-]+) FC multiplications per sample, ([0-9.]+) µs"))
        .FirstOrDefault(m => m.Success);
    return match is null ? ("?", "?", "?") : (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
}

string LayerList(string experiment, string prefix, string net)
{
    string file = Path.Combine(resultsDir, experiment, prefix + "-s1", "stdout.txt");
    if (!File.Exists(file)) return "";
    var description = Regex.Match(File.ReadAllText(file), @"ctr-towers vocab=(\S+) dim=(\d+) booster=(\S+) light=(\S+) classes=(\d+)");
    if (!description.Success) return "";
    int input = description.Groups[1].Value.Split('x').Length * int.Parse(description.Groups[2].Value, inv);
    string hidden = net == "light" ? description.Groups[4].Value : description.Groups[3].Value;
    return $"{input}×{hidden.Replace("x", "×")}×{description.Groups[5].Value}";
}

double TrainSeconds(string experiment, string run)
{
    string dir = Path.Combine(resultsDir, experiment, run);
    if (!File.Exists(Path.Combine(dir, "DONE"))) return double.NaN;
    return ReadLog(dir).Sum(r => r["train_seconds"]);
}

List<Dictionary<string, double>> ReadLog(string runDir)
{
    var lines = File.ReadAllLines(Path.Combine(runDir, "log.csv"));
    var header = lines[0].Split(',');
    return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
    {
        var fields = l.Split(',');
        var row = new Dictionary<string, double>();
        for (int i = 0; i < header.Length && i < fields.Length; i++)
            row[header[i]] = double.TryParse(fields[i], NumberStyles.Float, inv, out var v) ? v : double.NaN;
        return row;
    }).ToList();
}

// Light-net accuracy on the per-epoch evaluation part (the test part in the earlier runs, the validation split
// in the newer ones) at every evaluated epoch, one series per finished run, into results/<experiment>/light-<part>-accuracy.svg.
void Chart(string experiment, string part)
{
    string dir = Path.Combine(resultsDir, experiment);
    if (!Directory.Exists(dir)) return;
    var series = new List<(string, IReadOnlyList<(double, double)>)>();
    // The newer experiments have many seeds per arm: their charts show seed 1 of each arm.
    foreach (var run in Directory.GetDirectories(dir).Order(StringComparer.Ordinal)
                 .Where(d => File.Exists(Path.Combine(d, "DONE")) && (part == "test" || d.EndsWith("-s1", StringComparison.Ordinal))))
    {
        string net = Path.GetFileName(run).StartsWith("booster", StringComparison.Ordinal) ? "booster" : "light";
        var points = ReadLog(run).Where(r => !double.IsNaN(r[$"val_{net}_acc"])).Select(r => (r["epoch"] + 1, r[$"val_{net}_acc"])).ToList();
        if (points.Count > 0) series.Add((Path.GetFileName(run) + (net == "booster" ? " (booster)" : ""), points));
    }
    if (series.Count > 0)
        File.WriteAllText(Path.Combine(dir, $"light-{part}-accuracy.svg"), SvgChart.Render($"{experiment}: {part} accuracy of the light net (booster runs: the booster)", "epoch", $"{part} accuracy", series));
}
