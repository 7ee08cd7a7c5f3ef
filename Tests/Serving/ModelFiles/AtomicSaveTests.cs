using RocketNet.Serving;
using RocketNet.Tests.Training.Data;
using Xunit;

namespace RocketNet.Tests.Serving;

public class AtomicSaveTests
{
    /// <summary>Passes writes through until <paramref name="limit"/> bytes, then throws like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit)
            {
                inner.Write(buffer[..(int)(limit - _written)]);
                throw new IOException("simulated failure: no space left on device");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(200)]
    public void InterruptedSaveKeepsThePreviousCheckpointAndLeavesNoTemporaryFile(long failAfterBytes)
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("model.safetensors");
        var first = new TinyModule(4, 3, seed: 1);
        Checkpoint.Save(path, first, "tiny-4-3", epoch: 1);
        var before = File.ReadAllBytes(path);

        var second = new TinyModule(4, 3, seed: 2);
        var ex = Assert.Throws<IOException>(() =>
            Checkpoint.Save(path, second, "tiny-4-3", 2, null, null, null,
                wrap: s => new FailingStream(s, failAfterBytes)));
        Assert.Contains("simulated failure", ex.Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(files.Root));
        Assert.Equal(1, Checkpoint.Load(path).Epoch);
    }

    [Fact]
    public void SuccessfulSaveReplacesTheFileAndLeavesNothingElse()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("sub/dir/model.safetensors");
        Checkpoint.Save(path, new TinyModule(4, 3, seed: 1), "tiny-4-3", epoch: 1);
        Checkpoint.Save(path, new TinyModule(4, 3, seed: 2), "tiny-4-3", epoch: 2);
        Assert.Equal(2, Checkpoint.Load(path).Epoch);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void ASaveRemovesTheTemporariesThatKilledSavesOfTheSameFileLeftBehind()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("run/last.safetensors");
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        // What a SIGKILL during a save leaves: a half-written temporary next to the target.
        File.WriteAllBytes(Path.Combine(directory, ".last.safetensors.0123456789abcdef0123456789abcdef.tmp"),
            [1, 2, 3]);
        string other = Path.Combine(directory, ".other.safetensors.0123.tmp"); // another file's temporary is not ours
        File.WriteAllBytes(other, [4]);
        Checkpoint.Save(path, new TinyModule(4, 3, seed: 1), "tiny-4-3", epoch: 1);
        Assert.Equal(new[] { other, path }, Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToArray());
    }
}
