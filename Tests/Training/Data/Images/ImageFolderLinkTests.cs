using RocketNet.Training.Data.Images;
using Xunit;

namespace RocketNet.Tests.Training.Data.Images;

/// <summary>
/// Image folders as a hostile or careless user leaves them (issue 27): a directory link back up the tree, one image
/// reachable under two names, macOS resource-fork dot-files.
/// </summary>
public class ImageFolderLinkTests
{
    [Fact]
    public void ALinkBackUpTheTreeIsNotFollowedAndSaidSo()
    {
        if (OperatingSystem.IsWindows()) return; // directory links need privileges there
        using var files = new DataTestFiles();
        PngWriter.WriteDigitsFolder(files.Root, 60);
        Directory.CreateSymbolicLink(Path.Combine(files.Root, "3", "loop"), "..");
        var data = ImageFolderData.Load(files.Root);
        Assert.Equal(60, data.Train.Count + data.Test.Count);
        Assert.Contains(data.Notes, n => n.StartsWith("1 directory link(s)", StringComparison.Ordinal));
        Assert.Equal(60, ImageFiles.Under(files.Root, out int links).Length);
        Assert.Equal(1, links);
    }

    [Fact]
    public void OneImageUnderTwoNamesIsRefusedSoItCannotLandInBothParts()
    {
        if (OperatingSystem.IsWindows()) return;
        using var files = new DataTestFiles();
        PngWriter.WriteDigitsFolder(files.Root, 60);
        string original = Directory.GetFiles(Path.Combine(files.Root, "7"))[0];
        string alias = Path.Combine(files.Root, "1", "alias.png");
        File.CreateSymbolicLink(alias, original);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderData.Load(files.Root));
        Assert.Contains("alias.png", e.Message);
        Assert.Contains(Path.GetFileName(original), e.Message);
    }

    [Fact]
    public void DotFilesAndDotFoldersAreSkipped()
    {
        using var files = new DataTestFiles();
        PngWriter.WriteDigitsFolder(files.Root, 60);
        files.Write(Path.Combine("2", "._0002.png"), [0x00, 0x05, 0x16, 0x07, 0x00, 0x02]); // AppleDouble header
        files.Write(Path.Combine("2", ".cache", "x.png"), [0x01]);
        var data = ImageFolderData.Load(files.Root);
        Assert.Equal(60, data.Train.Count + data.Test.Count);
    }
}
