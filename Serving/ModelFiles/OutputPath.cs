namespace RocketNet.Serving;

/// <summary>
/// Where RocketNet may write a file it produces (a checkpoint, an export, a scores table): a new path, or an existing
/// regular file that is replaced whole. Writes go to a temporary file that is then renamed over the target, and a
/// rename replaces whatever the name held: a symbolic link (not followed: the link itself vanished), a named
/// pipe, a device node (<c>/dev/full</c> became a CSV file). Those are refused, as is writing over one of the
/// command's own inputs.
/// </summary>
public static class OutputPath
{
    /// <summary>
    /// Refuses <paramref name="path"/> unless it is new or an existing regular file, naming what it is instead.
    /// </summary>
    /// <exception cref="IOException">The path is a directory, a link, a pipe, a socket or a device, or one of the
    /// folders it would be written in is a file.</exception>
    public static void CheckWritable(string path)
    {
        var info = new FileInfo(path);
        if (Directory.Exists(path))
            throw new IOException($"Output '{path}' is a directory; give a file name.");
        if (FileAmongFolders(Path.GetDirectoryName(Path.GetFullPath(path))) is { } file)
            throw new IOException(
                $"Output '{path}': '{file}' is a file, not a folder; give a path whose folders are folders (missing " +
                "ones are created).");
        if (info.LinkTarget is { } target)
            throw new IOException(
                $"Output '{path}' is a symbolic link (to '{target}'); give a regular file or a new path.");
        if (!info.Exists) return;
        if (IsDeviceName(info.FullName) || info.Length == 0 && !IsSeekable(info.FullName))
            throw new IOException(
                $"Output '{path}' is a device, pipe or socket, not a regular file; give a regular file or a new path.");
    }

    /// <summary>
    /// Refuses <paramref name="folder"/>, a folder a command writes into (created if missing), when it or one of the
    /// folders it would be created in is a file; <paramref name="option"/> names where it came from (e.g.
    /// <c>--checkpoint-dir</c>).
    /// </summary>
    /// <exception cref="IOException">The folder, or a folder above it, is a file.</exception>
    public static void CheckFolder(string folder, string option)
    {
        string full = Path.GetFullPath(folder);
        if (FileAmongFolders(full) is not { } file) return;
        string where = string.Equals(file, full, StringComparison.Ordinal)
            ? "is a file" : $"is inside '{file}', which is a file";
        throw new IOException(
            $"{option} '{folder}' {where}, not a folder; expected a folder (it is created if missing).");
    }

    // The first existing path on the way from fullPath up to its root that is a file rather than a folder: creating
    // fullPath as a folder would fail there, with .NET's "The file '…' already exists".
    private static string? FileAmongFolders(string? fullPath)
    {
        for (string? at = fullPath; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at)) return null;
            if (File.Exists(at)) return at;
        }
        return null;
    }

    /// <summary>
    /// Refuses writing <paramref name="path"/> when it names the same file as <paramref name="source"/>, the
    /// command's input given by <paramref name="option"/> (e.g. <c>--input</c>).
    /// </summary>
    /// <exception cref="IOException">The output would replace that input.</exception>
    public static void CheckNotSource(string path, string source, string option)
    {
        if (File.Exists(path) && File.Exists(source) && string.Equals(RealPaths.Of(path), RealPaths.Of(source),
                OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
                    ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            throw new IOException(
                $"Output '{path}' is the file given as {option} ('{source}'); writing it would replace that input. " +
                "Give another output path.");
    }

    // Device nodes live under /dev on every Unix; on Windows, device names (NUL, CON, \\.\…) are not files.
    private static bool IsDeviceName(string fullPath) =>
        OperatingSystem.IsWindows()
            ? fullPath.StartsWith(@"\\.\", StringComparison.Ordinal)
            || Path.GetFileNameWithoutExtension(fullPath).ToUpperInvariant() is "NUL" or "CON" or "PRN" or "AUX"
            : fullPath.StartsWith("/dev/", StringComparison.Ordinal);

    // An empty name could be a named pipe: .NET reports pipes and devices as ordinary zero-length files. Opening a
    // pipe for reading and writing does not wait for a peer, and a pipe (or socket) cannot seek; a regular file can.
    private static bool IsSeekable(string fullPath)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
            return stream.CanSeek;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
