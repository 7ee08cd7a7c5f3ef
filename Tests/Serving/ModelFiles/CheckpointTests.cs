using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Tests.Training.Data;
using Xunit;

namespace RocketNet.Tests.Serving;

public class CheckpointTests
{
    [Fact]
    public void RoundTripsParametersBuffersMetadataAndExtraArrays()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("ckpt.safetensors");
        var saved = new TinyModule(4, 3, seed: 1);
        var momentum = new NamedArray([3, 4], Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray());
        Checkpoint.Save(path, saved, "tiny-4-3", epoch: 17,
            metrics: new Dictionary<string, string> { ["test_accuracy"] = "0.9512" },
            extra: new Dictionary<string, NamedArray> { [Checkpoint.OptimizerPrefix + "momentum.weight"] = momentum },
            inputShape: [1, 2, 2]);

        var checkpoint = Checkpoint.Load(path);
        Assert.Equal("tiny-4-3", checkpoint.Architecture);
        Assert.Equal(17, checkpoint.Epoch);
        Assert.Equal(new[] { 1, 2, 2 }, checkpoint.InputShape);
        Assert.Equal("0.9512", checkpoint.Metrics["test_accuracy"]);
        Assert.Equal(new[] { "bias", "head.offset", "weight" }, checkpoint.ModelState.Keys.Order());
        Assert.Equal(momentum.Values, checkpoint.Extra["optimizer.momentum.weight"].Values);

        var loaded = new TinyModule(4, 3, seed: 99);
        Assert.NotEqual(saved.Weight.ToArray(), loaded.Weight.ToArray());
        checkpoint.LoadInto(loaded);
        Assert.Equal(saved.Weight.ToArray(), loaded.Weight.ToArray());
        Assert.Equal(saved.Bias.ToArray(), loaded.Bias.ToArray());
        Assert.Equal(saved.Head.Offset.ToArray(), loaded.Head.Offset.ToArray());
    }

    [Fact]
    public void AViewOfATensorWritesTheBytesOfACopyAndReadsTheTensorAsItIsWhenWritten()
    {
        using var files = new DataTestFiles();
        var tensor = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var view = NamedArray.ViewOf(tensor);
        tensor.Data[4] = -7f; // after the view was made: the view reads the tensor itself
        string copied = files.PathOf("copy.safetensors"), viewed = files.PathOf("view.safetensors");
        SafeTensorsWriter.Save(copied, new Dictionary<string, NamedArray> { ["t"] = NamedArray.FromTensor(tensor) });
        SafeTensorsWriter.Save(viewed, new Dictionary<string, NamedArray> { ["t"] = view });
        Assert.Equal(File.ReadAllBytes(copied), File.ReadAllBytes(viewed)); // checksum included
        Assert.Equal([2, 3], view.Shape);
        Assert.Equal(tensor.ToArray(), view.Values);
    }

    [Fact]
    public void LoadingIntoAMismatchedModuleNamesEveryProblem()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("ckpt.safetensors");
        Checkpoint.Save(path, new TinyModule(4, 3, seed: 1), "tiny-4-3");
        var ex = Assert.Throws<ArgumentException>(() => Checkpoint.Load(path).LoadInto(new TinyModule(5, 3, seed: 1)));
        Assert.Contains("ckpt.safetensors", ex.Message);
        Assert.Contains("weight: checkpoint [3, 4] vs module [3, 5]", ex.Message);

        var other = new Dictionary<string, NamedArray> { ["weight"] = new NamedArray([3, 4], new float[12]) };
        string partial = files.PathOf("partial.safetensors");
        SafeTensorsWriter.Save(partial, other, new Dictionary<string, string>
        {
            ["format"] = Checkpoint.FormatName,
            ["format_version"] = "1",
            ["architecture"] = "x",
            ["epoch"] = "0",
            ["extra_tensors"] = "[]",
        });
        ex = Assert.Throws<ArgumentException>(() => Checkpoint.Load(partial).LoadInto(new TinyModule(4, 3, seed: 1)));
        Assert.Contains("missing [bias, head.offset]", ex.Message);
    }

    [Fact]
    public void UnexpectedTensorsFailOnlyInStrictMode()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("ckpt.safetensors");
        var tensors = new TinyModule(4, 3, seed: 1).StateDict().ToDictionary(p => p.Key,
            p => NamedArray.FromTensor(p.Value));
        tensors["stray"] = NamedArray.Vector([1]);
        SafeTensorsWriter.Save(path, tensors, new Dictionary<string, string>
        {
            ["format"] = Checkpoint.FormatName,
            ["format_version"] = "1",
            ["architecture"] = "x",
            ["epoch"] = "0",
            ["extra_tensors"] = "[]",
        });
        var checkpoint = Checkpoint.Load(path);
        var ex = Assert.Throws<ArgumentException>(() => checkpoint.LoadInto(new TinyModule(4, 3, seed: 2)));
        Assert.Contains("unexpected [stray]", ex.Message);
        checkpoint.LoadInto(new TinyModule(4, 3, seed: 2), strict: false);
    }

    [Fact]
    public void ExtraNamesMayNotShadowModuleTensors()
    {
        using var files = new DataTestFiles();
        var extra = new Dictionary<string, NamedArray> { ["weight"] = NamedArray.Vector([1]) };
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(files.PathOf("c"), new TinyModule(4, 3, 1),
            "x", extra: extra));
    }

    [Fact]
    public void PlainSafetensorsWithoutCheckpointMetadataIsRejected()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("plain.safetensors");
        SafeTensorsWriter.Save(path, new Dictionary<string, NamedArray> { ["w"] = NamedArray.Vector([1]) });
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("plain.safetensors", ex.Message);
        Assert.Contains("'format' is missing", ex.Message);
    }

    [Fact]
    public void MetadataDescribingAFarLargerNetThanTheFileIsRefusedBeforeTheNetIsBuilt()
    {
        using var files = new RocketNet.Tests.Training.Data.DataTestFiles();
        string path = files.PathOf("liar.safetensors");
        // A 4x3 module's values under an architecture whose light net alone has 10⁷ · 64 weights (2.5 GB).
        Checkpoint.Save(path, new TinyModule(4, 3, seed: 1), "mlp in=64 shared=10000000 booster=8 light= classes=10");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("liar.safetensors", e.Message);
        Assert.Contains("does not describe this file", e.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 4L << 20);
        // A kind the registry does not know is left to the caller's factory, as before.
        Checkpoint.Save(path, new TinyModule(4, 3, seed: 1), "tiny-4-3");
        Assert.Equal("tiny-4-3", Checkpoint.Load(path).Architecture);
    }

    [Fact]
    public void APairCheckpointWhoseMetadataDescribesAFarLargerBoosterIsRefused()
    {
        using var files = new RocketNet.Tests.Training.Data.DataTestFiles();
        string path = files.PathOf("booster-liar.safetensors");
        // The light net (4·3 + 3 = 15 values) fits the file; a booster of 10⁷ · 3 weights does not.
        const string architecture = "mlp in=4 shared=3 booster=10000000 light= classes=3";
        var light = ArchitectureRegistry.Parse(architecture).CreateLight(new RandomGenerator(1));
        Checkpoint.Save(path, light, architecture);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("booster-liar.safetensors", e.Message);
        Assert.Contains("pair parameters", e.Message);
        // The same values exported as a light net (role "light") describe exactly what the file holds.
        Checkpoint.Save(path, light, architecture,
            metrics: new Dictionary<string, string> { [Checkpoint.RoleMetric] = Checkpoint.LightRole });
        Assert.Equal(architecture, Checkpoint.Load(path).Architecture);
    }
}
