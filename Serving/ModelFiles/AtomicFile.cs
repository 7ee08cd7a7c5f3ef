namespace RocketNet.Serving;

/// <summary>
/// Replaces a file atomically: the content goes to a temporary file in the same directory, is flushed to
/// disk, and only then moved over the target — an interrupted write leaves the previous file intact. A write
/// that fails removes its temporary file; one killed outright (SIGKILL, power loss) cannot, so the next write
/// to the same target first removes the temporaries earlier writes of that target left behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/> (parent folders created);
    /// <paramref name="wrap"/> lets tests inject a failing stream.
    /// </summary>
    /// <exception cref="IOException">The path is a directory, link, pipe or device (<see cref="OutputPath"/>), or
    /// the write failed.</exception>
    public static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrap = null)
    {
        OutputPath.CheckWritable(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string prefix = TemporaryPrefix(Path.GetFileName(full));
        foreach (string stale in Directory.EnumerateFiles(directory, $".{prefix}.*.tmp"))
        {
            // another process may hold it; it is not ours to fight over
            try { File.Delete(stale); } catch (IOException) { }
        }
        string temporary = Path.Combine(directory, $".{prefix}.{Guid.NewGuid():N}.tmp");
        FileStream file;
        try
        {
            file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The temporary file is an implementation detail: the user asked to write path, so name that.
            throw new IOException(
                $"Cannot write '{path}': a new file in '{directory}' could not be created " +
                $"({e.Message.Replace(temporary, "the temporary file", StringComparison.Ordinal)}).", e);
        }
        try
        {
            using (file)
            {
                var target = wrap is null ? file : wrap(file);
                write(target);
                target.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } // best effort: the original error matters more
            throw;
        }
    }

    // The target's name, cut to at most 200 UTF-8 bytes: the temporary adds 38 bytes, and a target name near the
    // 255-byte limit of most file systems would otherwise make the temporary's name too long.
    private static string TemporaryPrefix(string name)
    {
        const int maxBytes = 200;
        int length = name.Length;
        while (System.Text.Encoding.UTF8.GetByteCount(name.AsSpan(0, length)) > maxBytes)
            length -= char.IsLowSurrogate(name[length - 1]) && length > 1 ? 2 : 1;
        return name[..length];
    }
}
