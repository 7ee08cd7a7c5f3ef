using RocketNet.Serving.Images;
using RocketNet.Tests.Serving.Images;
using Xunit;
using Xunit.Abstractions;

namespace RocketNet.Tests.Training.Data.Images;

/// <summary>
/// Seeded fuzzing of the image reader: valid PNG, JPEG and BMP files mutated (bit flips, truncations, inserted bytes,
/// huge values over fields) must decode or be refused with an <see cref="InvalidDataException"/> naming the file,
/// within a time bound (a hang fails the test) and without allocating far beyond the declared image.
/// Set ROCKETNET_FUZZ_CASES for a longer local run (default 300 per format).
/// </summary>
public class ImageFuzzTests(ITestOutputHelper log)
{
    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("ROCKETNET_FUZZ_CASES"),
        out int n) && n > 0 ? n : 300;

    [Theory]
    [InlineData("fuzzed.png", 21UL)]
    [InlineData("fuzzed.jpg", 22UL)]
    [InlineData("fuzzed.bmp", 23UL)]
    public void MutatedImagesDecodeOrAreRefusedNamingTheFile(string name, ulong seed)
    {
        var valid = Path.GetExtension(name) switch
        {
            ".png" => PngWriter.Encode(ImageFileCheckTests.Pixels(20, 14), 20, 14),
            ".jpg" => ImageFileCheckTests.Jpeg(20, 14),
            _ => ImageFileCheckTests.Bmp(20, 14),
        };
        using var files = new DataTestFiles();
        var random = new RandomGenerator(seed);
        var encoder = new ImagePreprocessor
        {
            ImageSize = 8,
            Mean = [0, 0, 0],
            Std = [1, 1, 1],
            ClassNames = ["a", "b"],
        };
        var destination = new float[encoder.SampleSize];
        int decoded = 0, refused = 0;
        for (int c = 0; c < Cases; c++)
        {
            var bytes = ReaderFuzzTests.Mutate(valid, random);
            string path = files.Write(name, bytes);
            try
            {
                ImageFileCheckTests.Bounded(() =>
                {
                    encoder.EncodeFile(path, destination);
                    return 0;
                });
                decoded++;
            }
            catch (InvalidDataException e)
            {
                Assert.True(e.Message.Contains(path, StringComparison.Ordinal),
                    $"case {c}: the message does not name the file: {e.Message}");
                refused++;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"case {c} ({bytes.Length} bytes): {e.GetType().Name} instead of " +
                    $"InvalidDataException: {e.Message}");
            }
        }
        log.WriteLine($"{name}: {Cases} mutated files, {decoded} decoded, {refused} refused naming the file");
        Assert.Equal(Cases, decoded + refused);
        Assert.True(refused > 0 && decoded > 0, "the fuzzer reaches neither the checks nor the decoder");
    }
}
