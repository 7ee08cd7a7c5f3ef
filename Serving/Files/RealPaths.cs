namespace RocketNet.Serving;

/// <summary>
/// The file a path finally names, links resolved, as a full path: two names of one file compare equal. Used where
/// writing or reading one file twice under two names would do harm (an output over an input, one image in both the
/// training and the test part).
/// </summary>
internal static class RealPaths
{
    /// <summary>The final target of <paramref name="file"/>, or its full path when it is no link.</summary>
    public static string Of(string file)
    {
        try
        {
            return File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(file);
        }
        catch (IOException)
        {
            return Path.GetFullPath(file); // a dangling or looping link: the caller's read or write reports it
        }
    }
}
