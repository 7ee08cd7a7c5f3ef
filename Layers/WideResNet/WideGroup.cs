namespace RocketNet.Layers;

/// <summary>A group of Wide ResNet blocks applied in order, named "block0", "block1", ….</summary>
public sealed class WideGroup : Module
{
    private readonly WideBlock[] _blocks;

    /// <summary>Wraps the given blocks (which may be shared with another group).</summary>
    /// <exception cref="ArgumentException">No blocks, or consecutive widths do not chain.</exception>
    public WideGroup(IReadOnlyList<WideBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0) throw new ArgumentException("WideGroup needs at least one block.", nameof(blocks));
        _blocks = [.. blocks];
        for (int i = 0; i < _blocks.Length; i++)
        {
            if (i > 0 && _blocks[i].InChannels != _blocks[i - 1].OutChannels)
                throw new ArgumentException(
                    $"WideGroup: block{i} takes {_blocks[i].InChannels} channels but block{i - 1} gives " +
                    $"{_blocks[i - 1].OutChannels}.", nameof(blocks));
            RegisterModule("block" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), _blocks[i]);
        }
    }

    /// <summary>
    /// A fresh group of <paramref name="blockCount"/> blocks: the first maps <paramref name="inChannels"/> →
    /// <paramref name="outChannels"/> with <paramref name="stride"/>, the rest keep the width at stride 1.
    /// </summary>
    public static WideGroup Create(int blockCount, int inChannels, int outChannels, int stride, RandomGenerator random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockCount);
        var blocks = new WideBlock[blockCount];
        for (int b = 0; b < blockCount; b++)
            blocks[b] = new WideBlock(b == 0 ? inChannels : outChannels, outChannels, b == 0 ? stride : 1, random);
        return new WideGroup(blocks);
    }

    /// <summary>The blocks in order.</summary>
    public IReadOnlyList<WideBlock> Blocks => _blocks;

    /// <summary>Channels in.</summary>
    public int InChannels => _blocks[0].InChannels;

    /// <summary>Channels out.</summary>
    public int OutChannels => _blocks[^1].OutChannels;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var block in _blocks) x = block.Forward(x);
        return x;
    }
}
