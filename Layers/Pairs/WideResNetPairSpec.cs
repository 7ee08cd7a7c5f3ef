using System.Globalization;

namespace RocketNet.Layers;

/// <summary>Which booster layers a Wide ResNet light net reuses (paper §4; batch norm is never shared).</summary>
public enum WideResNetSharing
{
    /// <summary>(b) interval: stem + the convs of the first blocks of every group.</summary>
    Interval,

    /// <summary>(a) bottom: stem + all blocks of groups 0 and 1; the light head sits on group 1.</summary>
    Bottom,

    /// <summary>The "no sharing" ablation: only the stem conv is shared.</summary>
    StemOnly,
}

/// <summary>
/// Architecture of a <see cref="WideResNetPair"/>: booster WRN-d-k, light WRN-d'-k (same k, since convs are
/// shared) or, for <see cref="WideResNetSharing.Bottom"/>, the booster's first two groups.
/// Descriptions: <c>wrn-interval 40-1/16-1 classes=10 in=3</c>, <c>wrn-bottom 40-1 classes=10 in=3</c>,
/// <c>wrn-none 40-1/16-1 classes=10 in=3</c>.
/// </summary>
public sealed class WideResNetPairSpec : PairSpec
{
    /// <summary>Sharing scheme.</summary>
    public WideResNetSharing Sharing { get; }

    /// <summary>Booster depth d.</summary>
    public int BoosterDepth { get; }

    /// <summary>Light depth d' (for Bottom: equal to the booster depth, since its blocks are the booster's).</summary>
    public int LightDepth { get; }

    /// <summary>Widening factor k of both nets.</summary>
    public int Widen { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Input channels (3 for CIFAR/SVHN, 1 for Fashion-MNIST).</summary>
    public int InChannels { get; }

    /// <summary>Checks and stores the sizes.</summary>
    /// <exception cref="ArgumentException">A depth is not 6n + 4, or the light net has more blocks per group than the
    /// booster.</exception>
    public WideResNetPairSpec(WideResNetSharing sharing, int boosterDepth, int lightDepth, int widen,
        int classes, int inChannels = 3)
    {
        int n = WideResNet.BlocksPerGroup(boosterDepth), ns = WideResNet.BlocksPerGroup(lightDepth);
        if (sharing == WideResNetSharing.Interval && ns > n)
            throw new ArgumentException(
                $"Interval sharing needs the light net (WRN-{lightDepth}) to have no more blocks per group than the " +
                $"booster (WRN-{boosterDepth}).", nameof(lightDepth));
        if (sharing == WideResNetSharing.Bottom && lightDepth != boosterDepth)
            throw new ArgumentException(
                "Bottom sharing uses the booster's own blocks: pass the booster depth as the light depth.",
                nameof(lightDepth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(widen);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        (Sharing, BoosterDepth, LightDepth, Widen, Classes, InChannels) = (sharing, boosterDepth, lightDepth, widen,
            classes, inChannels);
    }

    /// <summary>Kind token of each sharing scheme.</summary>
    public static string KindOf(WideResNetSharing sharing) => sharing switch
    {
        WideResNetSharing.Interval => "wrn-interval",
        WideResNetSharing.Bottom => "wrn-bottom",
        _ => "wrn-none",
    };

    /// <inheritdoc/>
    public override string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        string nets = Sharing == WideResNetSharing.Bottom
            ? string.Create(c, $"{BoosterDepth}-{Widen}")
            : string.Create(c, $"{BoosterDepth}-{Widen}/{LightDepth}-{Widen}");
        return string.Create(c, $"{KindOf(Sharing)} {nets} classes={Classes} in={InChannels}");
    }

    /// <summary>Parses a description of kind wrn-interval, wrn-bottom or wrn-none.</summary>
    public static WideResNetPairSpec Parse(ArchitectureDescription d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sharing = d.Kind switch
        {
            "wrn-interval" => WideResNetSharing.Interval,
            "wrn-bottom" => WideResNetSharing.Bottom,
            "wrn-none" => WideResNetSharing.StemOnly,
            _ => throw d.Error("is not a Wide ResNet pair (wrn-interval, wrn-bottom, wrn-none)"),
        };
        if (d.Positional.Count != 1) throw d.Error("needs one size token like 40-1/16-1 (or 40-1 for wrn-bottom)");
        string[] nets = d.Positional[0].Split('/');
        var (boosterDepth, boosterWiden) = ParseNet(d, nets[0]);
        int lightDepth = boosterDepth;
        if (sharing == WideResNetSharing.Bottom)
        {
            if (nets.Length != 1)
                throw d.Error(
                    "gives a light net, but wrn-bottom's light net is the booster's first two " +
                    "groups (write e.g. 40-1)");
        }
        else
        {
            if (nets.Length != 2) throw d.Error("needs booster and light sizes like 40-1/16-1");
            int lightWiden;
            (lightDepth, lightWiden) = ParseNet(d, nets[1]);
            if (lightWiden != boosterWiden)
                throw d.Error("has different widening factors; shared convs need the same k");
        }
        return new WideResNetPairSpec(sharing, boosterDepth, lightDepth, boosterWiden,
            d.GetInt("classes"), d.GetInt("in", 3));
    }

    private static (int Depth, int Widen) ParseNet(ArchitectureDescription d, string token)
    {
        string[] parts = token.Split('-');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int depth)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int widen))
            return (depth, widen);
        throw d.Error($"has '{token}' where a WRN size depth-k like 40-1 was expected");
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Convolution and classifier weights of the light WRN (batch-norm parameters and the bias left out): the
    /// 3×3 stem, per group g of width w_g two 3×3 convolutions per block and a 1×1 projection where the width
    /// changes, and the final linear layer.
    /// </remarks>
    public override long MinimumLightParameters()
    {
        bool bottom = Sharing == WideResNetSharing.Bottom;
        int blocks = WideResNet.BlocksPerGroup(bottom ? BoosterDepth : LightDepth), groups = bottom ? 2 : 3;
        long total = 9L * InChannels * 16;
        long inWidth = 16;
        for (int g = 0; g < groups; g++)
        {
            long width = WideResNet.GroupWidth(g, Widen);
            total += 9 * inWidth * width + 9 * width * width + (inWidth != width ? inWidth * width : 0);
            total += (blocks - 1) * 18 * width * width;
            inWidth = width;
        }
        return total + inWidth * Classes;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Bottom sharing: the booster's last group and classifier. Otherwise at most the light net's weights are
    /// shared, so the booster's convolution and classifier weights minus the light WRN's bound what it alone has.
    /// </remarks>
    public override long MinimumBoosterOnlyParameters()
    {
        if (Sharing == WideResNetSharing.Bottom)
        {
            long w1 = WideResNet.GroupWidth(1, Widen), w2 = WideResNet.GroupWidth(2, Widen);
            return 9 * w1 * w2 + 9 * w2 * w2 + (w1 != w2 ? w1 * w2 : 0) + (WideResNet.BlocksPerGroup(BoosterDepth) - 1)
                * 18 * w2 * w2 + w2 * Classes;
        }
        return Math.Max(0, StandaloneWeights(BoosterDepth) - StandaloneWeights(LightDepth));
    }

    // Convolution and classifier weights of a standalone WRN-depth-Widen (no batch norm, no bias).
    private long StandaloneWeights(int depth)
    {
        int blocks = WideResNet.BlocksPerGroup(depth);
        long total = 9L * InChannels * 16, inWidth = 16;
        for (int g = 0; g < 3; g++)
        {
            long width = WideResNet.GroupWidth(g, Widen);
            total += 9 * inWidth * width + 9 * width * width + (inWidth != width ? inWidth * width : 0) + (blocks - 1)
                * 18 * width * width;
            inWidth = width;
        }
        return total + inWidth * Classes;
    }

    /// <inheritdoc/>
    public override RocketPair CreatePair(RandomGenerator random) => new WideResNetPair(this, random);

    /// <inheritdoc/>
    public override Module CreateLight(RandomGenerator random) => Sharing == WideResNetSharing.Bottom
        ? WideResNet.Create(WideResNet.BlocksPerGroup(BoosterDepth), Widen, 2, Classes, random, InChannels)
        : WideResNet.Create(LightDepth, Widen, Classes, random, InChannels);
}
