using System.Buffers.Binary;
using System.Security.Cryptography;

namespace QlikBackup.Bench;

/// <summary>
/// What content-defined chunking (FastCDC: gear hash, normalized chunking) would store for a QVF whose data changed by 1 %,
/// against today's fixed 4 MiB chunks. An estimate, not storage: the chunks of the old and the new file are hashed and the
/// new file's bytes in chunks the old one did not have are what a re-capture would upload. The QVF is modelled as
/// incompressible bytes (a QVF's data is packed and compressed) changed in four ways, since how Qlik rewrites a QVF after a
/// reload decides the answer.
/// </summary>
public static class ChunkingEstimate
{
    public sealed record Row(string Change, string Chunking, int Chunks, long NewBytes, double NewPercent);

    public static IReadOnlyList<Row> Run(int megabytes = 64, int seed = 14)
    {
        var random = new Random(seed);
        byte[] old = new byte[megabytes * 1024 * 1024];
        random.NextBytes(old);
        int onePercent = old.Length / 100;
        var changes = new (string Name, byte[] New)[]
        {
            ("1 % appended at the end (new rows)", [.. old, .. Bytes(random, onePercent)]),
            ("1 % inserted in the middle (a table grew)", [.. old.AsSpan(0, old.Length / 2), .. Bytes(random, onePercent), .. old.AsSpan(old.Length / 2)]),
            ("1 % rewritten in place, 10 clustered regions", Rewrite(old, random, regions: 10, onePercent)),
            ("1 % rewritten in place, scattered 4 KiB pages", Rewrite(old, random, regions: onePercent / 4096, onePercent)),
        };
        var chunkings = new (string Name, Func<byte[], List<(int Start, int Length)>> Cut)[]
        {
            ("fixed 4 MiB (today)", d => Fixed(d, 4 * 1024 * 1024)),
            ("FastCDC avg 1 MiB (256 KiB–4 MiB)", d => FastCdc(d, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024)),
            ("FastCDC avg 64 KiB (16 KiB–256 KiB)", d => FastCdc(d, 16 * 1024, 64 * 1024, 256 * 1024)),
        };

        var rows = new List<Row>();
        foreach ((string change, byte[] changed) in changes)
        {
            foreach ((string chunking, var cut) in chunkings)
            {
                HashSet<string> before = [.. cut(old).Select(c => Hash(old, c))];
                List<(int Start, int Length)> after = cut(changed);
                long newBytes = after.Where(c => !before.Contains(Hash(changed, c))).Sum(c => (long)c.Length);
                rows.Add(new Row(change, chunking, after.Count, newBytes, Math.Round(100.0 * newBytes / changed.Length, 1)));
            }
        }

        return rows;
    }

    static byte[] Bytes(Random random, int length)
    {
        byte[] b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    /// <summary><paramref name="total"/> bytes overwritten in <paramref name="regions"/> equal regions at random offsets.</summary>
    static byte[] Rewrite(byte[] old, Random random, int regions, int total)
    {
        byte[] changed = (byte[])old.Clone();
        int each = total / regions;
        for (int i = 0; i < regions; i++)
        {
            random.NextBytes(changed.AsSpan(random.Next(0, old.Length - each), each));
        }

        return changed;
    }

    static string Hash(byte[] data, (int Start, int Length) c) => Convert.ToHexString(SHA256.HashData(data.AsSpan(c.Start, c.Length)));

    static List<(int, int)> Fixed(byte[] data, int size)
    {
        var cuts = new List<(int, int)>();
        for (int i = 0; i < data.Length; i += size) cuts.Add((i, Math.Min(size, data.Length - i)));
        return cuts;
    }

    /// <summary>A fixed table of 256 random 64-bit values (derived from SHA-256, so every run cuts the same way).</summary>
    static readonly ulong[] Gear = [.. Enumerable.Range(0, 256).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(BitConverter.GetBytes(i))))];

    /// <summary>
    /// FastCDC (Xia et al., USENIX ATC 2016): a gear rolling hash, a cut where its top bits are zero; a stricter mask before
    /// the average size and a looser one after (normalized chunking, level 2), never below min or above max.
    /// </summary>
    static List<(int, int)> FastCdc(byte[] data, int min, int avg, int max)
    {
        int bits = (int)Math.Log2(avg);
        ulong maskS = ~0UL << (64 - (bits + 2)), maskL = ~0UL << (64 - (bits - 2));
        var cuts = new List<(int, int)>();
        int start = 0;
        while (start < data.Length)
        {
            int remaining = data.Length - start, length = remaining;
            if (remaining > min)
            {
                ulong fp = 0;
                int normal = Math.Min(avg, remaining), limit = Math.Min(max, remaining), i = min;
                length = limit;
                for (; i < normal; i++)
                {
                    fp = (fp << 1) + Gear[data[start + i]];
                    if ((fp & maskS) == 0) { length = i + 1; goto cut; }
                }

                for (; i < limit; i++)
                {
                    fp = (fp << 1) + Gear[data[start + i]];
                    if ((fp & maskL) == 0) { length = i + 1; goto cut; }
                }
            }

        cut:
            cuts.Add((start, length));
            start += length;
        }

        return cuts;
    }
}
