namespace RocketNet.Training.Data.Images;

/// <summary>
/// Lists the image files under a folder the way training and <c>predict</c> read them: sorted by path, dot-files
/// and dot-folders left out (macOS writes <c>._name.png</c> resource forks beside copied images), and directory
/// links below the folder not followed, so a link back up the tree (<c>cat/loop → ..</c>) cannot turn a few
/// images into hundreds of copies under the wrong class.
/// </summary>
public static class ImageFiles
{
    /// <summary>File extensions read as images (any case).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>True when <paramref name="path"/> names an image by its extension (<see cref="Extensions"/>).</summary>
    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>
    /// The image files under <paramref name="folder"/> (itself followed if it is a link), in ordinal path order;
    /// <paramref name="linksSkipped"/> counts the directory links below it that were not followed.
    /// </summary>
    public static string[] Under(string folder, out int linksSkipped)
    {
        var files = new List<string>();
        var pending = new Stack<string>();
        pending.Push(folder);
        linksSkipped = 0;
        while (pending.TryPop(out var dir))
        {
            foreach (var sub in Directory.GetDirectories(dir))
            {
                if (Path.GetFileName(sub).StartsWith('.')) continue;
                if (new DirectoryInfo(sub).LinkTarget is not null)
                {
                    linksSkipped++;
                    continue;
                }
                pending.Push(sub);
            }
            files.AddRange(Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.') && IsImage(f)));
        }
        files.Sort(StringComparer.Ordinal);
        return [.. files];
    }
}
