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
        foreach (string stale in Directory.EnumerateFiles(directory, $".{Path.GetFileName(full)}.*.tmp"))
        {
            // another process may hold it; it is not ours to fight over
            try { File.Delete(stale); } catch (IOException) { }
        }
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
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
}
