using System.Diagnostics;
using System.Globalization;
using RocketNet.Benchmarks.Serving;

namespace RocketNet.Benchmarks;

/// <summary>
/// <c>onnx-serving [--threads N] [--rounds R] [--workload W] [--gap-ms G]</c>: one line per serving workload with
/// RocketNet's and ONNX Runtime's median call time and their ratio, measured in the same process in alternating rounds
/// (so a noisy neighbour hits both engines alike). The quick counterpart of <see cref="OnnxServingBenchmarks"/>, for
/// the README's table. Each round times a fixed batch of calls per engine; the medians are over rounds.
/// <para>
/// Between rounds the process idles for G ms (default 100): on several threads each engine's idle workers spin before
/// they sleep, ONNX Runtime's for ~1 M pause instructions (about 16 ms on a Zen core, by ONNX Runtime's own account),
/// RocketNet's for 200 µs. Without the gap the first engine's spinning workers take cores from the second engine's
/// round: the same-process comparison would time each engine against the other's leftovers.
/// </para>
/// </summary>
public static class OnnxServingReport
{
    /// <summary>Parses the arguments after "onnx-serving", measures, prints; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int threads = 1, rounds = 15, gapMs = 100;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            bool number = i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture,
                out int value) && value > 0;
            switch (args[i])
            {
                case "--threads" when number: threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds" when number: rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--gap-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture,
                    out int gap) && gap >= 0:
                    gapMs = gap;
                    i++;
                    break;
                case "--workload" when i + 1 < args.Length && ServingNet.Names.Contains(args[i + 1]):
                    names.Add(args[++i]);
                    break;
                default:
                    error.WriteLine($"onnx-serving: unexpected '{args[i]}' (expected --threads N, --rounds R, " +
                        $"--gap-ms G (0 or more), --workload one of {string.Join(", ", ServingNet.Names)}).");
                    return 2;
            }
        }
        int saved = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threads;
        try
        {
            output.WriteLine($"{threads} thread(s), medians of {rounds} alternating rounds {gapMs} ms apart, " +
                "µs per call");
            output.WriteLine("| workload | RocketNet path | RocketNet µs | ONNX Runtime µs | ratio |");
            output.WriteLine("|---|---|---:|---:|---:|");
            foreach (string name in names.Count > 0 ? names : ServingNet.Names)
            {
                using var engines = new ServingEngines(ServingNet.Create(name), threads);
                var (rocket, ort) = Measure(engines, rounds, gapMs);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {engines.RocketNetPath} | {rocket:F1} | {ort:F1} | {rocket / ort:F2} |"));
            }
            return 0;
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }

    /// <summary>Median µs per call of each engine: warm-up, then rounds of calls alternating between them.</summary>
    private static (double RocketNet, double OnnxRuntime) Measure(ServingEngines engines, int rounds, int gapMs)
    {
        // Calls per round: about 20 ms of work, at least 3.
        var probe = Stopwatch.StartNew();
        int warm = 0;
        for (; warm < 5 || probe.Elapsed.TotalMilliseconds < 300; warm++)
        {
            engines.RunRocketNet();
            engines.RunOnnxRuntime();
        }
        int calls = Math.Max(3, (int)(20.0 * warm / probe.Elapsed.TotalMilliseconds));
        var rocket = new double[rounds];
        var ort = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            Thread.Sleep(gapMs);
            rocket[round] = Time(engines.RunRocketNet, calls);
            Thread.Sleep(gapMs);
            ort[round] = Time(engines.RunOnnxRuntime, calls);
        }
        return (Median(rocket), Median(ort));
    }

    private static double Time(Action call, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) call();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
