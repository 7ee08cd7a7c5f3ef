namespace RocketNet.Serving;

/// <summary>
/// The CRC-32 of gzip and zip (reflected polynomial 0xEDB88320), table-driven, one byte at a time: enough to
/// check a gzip trailer without referencing System.IO.Hashing.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>
    /// Continues <paramref name="crc"/> (0 for none yet) over <paramref name="bytes"/>; the result is the CRC-32
    /// of everything passed so far, as a gzip trailer stores it.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        uint c = ~crc;
        foreach (byte b in bytes) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }
}
