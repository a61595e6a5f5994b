using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Seeding;

/// <summary>The scenario's draws and times: whole seconds in Vietnam time, and a seed per dossier detail.</summary>
internal static class SeedRandom
{
    /// <summary>Statuses after which a dossier is not processed further (3, 7, 8, 9, 10).</summary>
    public static readonly int[] FinalStatuses = [3, 7, 8, 9, 10];

    /// <summary>A seed of its own for one detail (<paramref name="salt"/>) of one dossier, so each is generated on demand in any order.</summary>
    public static int DetailSeed(int seed, int index, int salt)
    {
        unchecked
        {
            var x = ((ulong)(uint)seed << 32) ^ (uint)index ^ ((ulong)(uint)salt << 17) ^ 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            x ^= x >> 31;
            return (int)(x & 0x7FFFFFFF);
        }
    }

    public static DateTimeOffset Uniform(Random r, DateTimeOffset lo, DateTimeOffset hi) =>
        Sec(lo + TimeSpan.FromTicks((long)(r.NextDouble() * (hi - lo).Ticks)));

    public static TimeSpan Span(Random r, TimeSpan lo, TimeSpan hi) => lo + TimeSpan.FromTicks((long)(r.NextDouble() * (hi - lo).Ticks));

    public static DateTimeOffset Sec(DateTimeOffset t) => SimTime.TruncateToSeconds(t.ToOffset(SimTime.VietnamOffset));

    public static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    public static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
