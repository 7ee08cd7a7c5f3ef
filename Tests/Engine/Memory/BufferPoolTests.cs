using RocketNet.Memory;
using Xunit;

namespace RocketNet.Tests.Engine.Memory;

public class BufferPoolTests
{
    [Fact]
    public void ReturnedArrayIsReusedForTheSameLength()
    {
        const int length = 1_234_567; // a length no other test uses
        var first = BufferPool.Rent(length, clear: false);
        first[3] = 42;
        BufferPool.Return(first);
        var second = BufferPool.Rent(length, clear: false);
        Assert.Same(first, second);
        BufferPool.Return(second);
        var cleared = BufferPool.Rent(length, clear: true);
        Assert.Equal(0f, cleared[3]);
        BufferPool.Return(cleared);
    }

    [Fact]
    public void RentedArraysHaveExactlyTheRequestedLength()
    {
        foreach (int n in new[] { 1, 7, 33, 257, 1000 })
        {
            var a = BufferPool.Rent(n, clear: true);
            Assert.Equal(n, a.Length);
            BufferPool.Return(a);
        }
        Assert.Empty(BufferPool.Rent(0, clear: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => BufferPool.Rent(-1, clear: true));
    }
}
